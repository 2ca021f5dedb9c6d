package dev.mizzen.pilot.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import dev.mizzen.pilot.app.ControlPlane;
import dev.mizzen.pilot.cache.TypeUrls;
import dev.mizzen.testing.mesh.MeshYaml;
import dev.mizzen.testing.xds.AdsTestStream;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Endpoints pushed as istiod's incremental EDS pushes them: a stream that holds the previous
 * assignments is sent only those that changed; a stream further behind, or asking for new names, is
 * sent all it asks for.
 */
class IncrementalEdsTest {
  private static final String WEB = "outbound|8080||web.shop.svc.cluster.local";
  private static final String API = "outbound|8080||api.shop.svc.cluster.local";
  private static final String DB = "outbound|8080||db.shop.svc.cluster.local";
  private static final List<String> NAMES = List.of(API, DB, WEB);

  @TempDir Path dir;
  private ControlPlane cp;

  private static String service(String name, String ip) {
    return """
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: %s, namespace: shop}
        spec:
          clusterIP: 10.96.0.%d
          ports: [{name: http, port: 8080}]
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata: {name: %s-1, namespace: shop, labels: {kubernetes.io/service-name: %s}}
        addressType: IPv4
        endpoints: [{addresses: [%s]}]
        ports: [{name: http, port: 8080}]
        """
        .formatted(name, Math.abs(name.hashCode() % 200) + 2, name, name, ip);
  }

  @BeforeEach
  void start() throws Exception {
    Files.writeString(dir.resolve("mesh.yaml"), MeshYaml.members("shop"));
    Files.writeString(dir.resolve("web.yaml"), service("web", "10.1.0.1"));
    Files.writeString(dir.resolve("api.yaml"), service("api", "10.2.0.1"));
    Files.writeString(dir.resolve("db.yaml"), service("db", "10.3.0.1"));
    cp = ControlPlane.start(ControlPlane.Options.forTest(dir, "istio-system"));
  }

  @AfterEach
  void stop() {
    cp.close();
  }

  private static List<String> assignments(DiscoveryResponse r) throws Exception {
    List<String> names = new ArrayList<>();
    for (Any a : r.getResourcesList()) {
      ClusterLoadAssignment cla = a.unpack(ClusterLoadAssignment.class);
      names.add(
          cla.getClusterName()
              + "="
              + cla.getEndpointsList().stream()
                  .flatMap(l -> l.getLbEndpointsList().stream())
                  .map(e -> e.getEndpoint().getAddress().getSocketAddress().getAddress())
                  .toList());
    }
    return names;
  }

  private static DiscoveryResponse nextEds(AdsTestStream s) throws Exception {
    while (true) {
      DiscoveryResponse r = s.next();
      if (r.getTypeUrl().equals(TypeUrls.ENDPOINT)) {
        return AdsTestStream.followsEnvoyRules(r);
      }
    }
  }

  @Test
  void aStreamHoldingThePreviousAssignmentsIsSentOnlyThoseThatChanged() throws Exception {
    Node node = AdsTestStream.sidecar("client-1", "shop");
    try (AdsTestStream s = new AdsTestStream(cp.xdsPort());
        AdsTestStream late = new AdsTestStream(cp.xdsPort())) {
      s.request(node, TypeUrls.ENDPOINT, NAMES, "", "");
      DiscoveryResponse first = nextEds(s);
      assertThat(assignments(first))
          .containsExactlyInAnyOrder(API + "=[10.2.0.1]", DB + "=[10.3.0.1]", WEB + "=[10.1.0.1]");
      s.ack(first, NAMES);

      // A pod of web is replaced: only web's assignment is pushed.
      Files.writeString(dir.resolve("web.yaml"), service("web", "10.1.0.9"));
      DiscoveryResponse pushed = nextEds(s);
      assertThat(pushed.getVersionInfo()).isNotEqualTo(first.getVersionInfo());
      assertThat(assignments(pushed)).containsExactly(WEB + "=[10.1.0.9]");
      s.ack(pushed, NAMES);

      // A stream that never held the previous version is sent everything it asks for.
      late.request(AdsTestStream.sidecar("client-2", "shop"), TypeUrls.ENDPOINT, NAMES, "", "");
      assertThat(assignments(nextEds(late)))
          .containsExactlyInAnyOrder(API + "=[10.2.0.1]", DB + "=[10.3.0.1]", WEB + "=[10.1.0.9]");

      // A service gone is sent as an empty assignment to a stream that still asks for it.
      Files.delete(dir.resolve("db.yaml"));
      DiscoveryResponse removed = nextEds(s);
      assertThat(assignments(removed)).containsExactly(DB + "=[]");
    }
  }
}
