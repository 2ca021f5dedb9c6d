package dev.mizzen.pilot.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import dev.mizzen.pilot.app.ControlPlane;
import dev.mizzen.pilot.cache.GroupSnapshot;
import dev.mizzen.pilot.cache.TypeUrls;
import dev.mizzen.pilot.generate.ConfigGenerator;
import dev.mizzen.pilot.generate.GroupKey;
import dev.mizzen.pilot.push.PushContext;
import dev.mizzen.testing.mesh.MeshYaml;
import dev.mizzen.testing.xds.AdsTestStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A push caused by endpoints alone regenerates the clusters and load assignments of the services
 * whose endpoints changed and nothing else, and what it serves is what a whole build would serve.
 */
class EndpointOnlyPushTest {
  @TempDir Path dir;
  private ControlPlane cp;

  private static final String MESH =
      MeshYaml.members("shop")
          + """
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: web, namespace: shop}
      spec:
        clusterIP: 10.96.0.20
        selector: {app: web}
        ports: [{name: http, port: 8080}]
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: api, namespace: shop}
      spec:
        clusterIP: 10.96.0.21
        selector: {app: api}
        ports: [{name: http, port: 8080}]
      ---
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: web, namespace: shop}
      spec:
        host: web.shop.svc.cluster.local
        subsets:
        - {name: v1, labels: {version: v1}}
        - {name: v2, labels: {version: v2}}
      """;

  /** An EndpointSlice of {@code service} with a ready endpoint per address (and pod). */
  private static String slice(String service, String... ips) {
    StringBuilder y =
        new StringBuilder(
            """
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata:
              name: %s-x1
              namespace: shop
              labels: {kubernetes.io/service-name: %s}
            addressType: IPv4
            ports: [{name: http, port: 8080, protocol: TCP}]
            endpoints:
            """
                .formatted(service, service));
    for (int i = 0; i < ips.length; i++) {
      y.append("- addresses: [")
          .append(ips[i])
          .append("]\n  conditions: {ready: true}\n  targetRef: {kind: Pod, name: ")
          .append(service)
          .append('-')
          .append(i)
          .append("}\n");
    }
    return y.toString();
  }

  private static String pod(String name, String app, String version, String ip) {
    return """
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: %s, namespace: shop, labels: {app: %s, version: %s}}
        spec: {serviceAccountName: %s}
        status: {podIP: %s, phase: Running}
        """
        .formatted(name, app, version, app, ip);
  }

  @BeforeEach
  void start() throws Exception {
    Files.writeString(dir.resolve("mesh.yaml"), MESH);
    Files.writeString(
        dir.resolve("pods.yaml"),
        pod("web-0", "web", "v1", "10.1.0.1")
            + pod("web-1", "web", "v2", "10.1.0.2")
            + pod("api-0", "api", "v1", "10.1.1.1"));
    Files.writeString(dir.resolve("web.yaml"), slice("web", "10.1.0.1", "10.1.0.2"));
    Files.writeString(dir.resolve("api.yaml"), slice("api", "10.1.1.1"));
    cp = ControlPlane.start(ControlPlane.Options.forTest(dir, "istio-system"));
  }

  @AfterEach
  void stop() {
    cp.close();
  }

  private PushStatus awaitPushAfter(long number) throws InterruptedException {
    AdsTestStream.await(() -> cp.pipeline().status().push().number() > number);
    return cp.pipeline().status();
  }

  private GroupSnapshot<GroupKey> snapshot() {
    var cache = cp.pipeline().streams().cache();
    GroupKey key = cache.keys().iterator().next();
    return cache.snapshot(key).orElseThrow();
  }

  private static final String WEB = "outbound|8080||web.shop.svc.cluster.local";
  private static final String WEB_V2 = "outbound|8080|v2|web.shop.svc.cluster.local";
  private static final String API = "outbound|8080||api.shop.svc.cluster.local";

  @Test
  void onlyTheChangedServiceIsRegeneratedAndTheResultIsAWholeBuilds() throws Exception {
    try (AdsTestStream s = new AdsTestStream(cp.xdsPort())) {
      s.request(AdsTestStream.sidecar("client-1", "shop"), TypeUrls.CLUSTER, List.of(), "", "");
      s.next();
      GroupSnapshot<GroupKey> before = snapshot();
      long number = cp.pipeline().status().push().number();

      // A pod of web replaced: new address, same labels (the slice names the pod).
      Files.writeString(dir.resolve("web.yaml"), slice("web", "10.1.0.1", "10.1.0.9"));
      awaitPushAfter(number);
      PushStatus status = cp.pipeline().status();
      GroupSnapshot<GroupKey> after = snapshot();

      SortedMap<String, Message> assignments = after.type(TypeUrls.ENDPOINT).resources();
      // api's assignment is the very one served before: it was not regenerated.
      assertThat(assignments.get(API))
          .isSameAs(before.type(TypeUrls.ENDPOINT).resources().get(API));
      assertThat(assignments.get(WEB))
          .isNotEqualTo(before.type(TypeUrls.ENDPOINT).resources().get(WEB));
      assertThat(assignments.get(WEB_V2).toString()).contains("10.1.0.9");
      // Clusters did not change, so they keep their version and are not sent again.
      assertThat(after.type(TypeUrls.CLUSTER).version())
          .isEqualTo(before.type(TypeUrls.CLUSTER).version());
      assertThat(after.type(TypeUrls.LISTENER)).isSameAs(before.type(TypeUrls.LISTENER));

      // What a whole build of the same config makes, push context included.
      PushContext rebuilt =
          PushContext.build(
              status.push().number(), Instant.now(), status.push().config(), status.push().mesh());
      var whole = new ConfigGenerator(rebuilt).generate(after.key());
      for (String type : TypeUrls.PUSH_ORDER) {
        assertThat(after.type(type).resources()).as(type).isEqualTo(whole.of(type));
      }
    }
  }

  @Test
  void endpointsThatServeNothingNewRegenerateNoGroup() throws Exception {
    try (AdsTestStream s = new AdsTestStream(cp.xdsPort())) {
      s.request(AdsTestStream.sidecar("client-1", "shop"), TypeUrls.CLUSTER, List.of(), "", "");
      s.next();
      GroupSnapshot<GroupKey> before = snapshot();
      long number = cp.pipeline().status().push().number();
      // An address that is not ready joins the slice: nothing served changes.
      Files.writeString(
          dir.resolve("api.yaml"),
          slice("api", "10.1.1.1") + "- addresses: [10.1.1.7]\n  conditions: {ready: false}\n");
      PushStatus status = awaitPushAfter(number);
      assertThat(status.generated()).isEqualTo(Map.of());
      assertThat(snapshot()).isSameAs(before);
    }
  }

  @Test
  void aProxyWhosePodJoinsOrLeavesAServiceMovesToItsNewShape() throws Exception {
    try (AdsTestStream s = new AdsTestStream(cp.xdsPort())) {
      s.request(AdsTestStream.sidecar("client-1", "shop"), TypeUrls.CLUSTER, List.of(), "", "");
      var first = s.next();
      s.ack(first, List.of());
      assertThat(first.toString()).doesNotContain("inbound|");
      // The proxy's own pod becomes an endpoint of api: it now serves api, and is given an
      // inbound cluster for it.
      Files.writeString(
          dir.resolve("api.yaml"),
          slice("api", "10.1.1.1")
              + "- addresses: [10.0.0.1]\n  conditions: {ready: true}\n"
              + "  targetRef: {kind: Pod, name: client-1}\n");
      var next = s.next();
      assertThat(next.getTypeUrl()).isEqualTo(TypeUrls.CLUSTER);
      assertThat(next.toString()).contains("inbound|8080||");
      s.ack(next, List.of());
      // And when it is no longer one, it serves nothing again.
      Files.writeString(dir.resolve("api.yaml"), slice("api", "10.1.1.1"));
      var last = s.next();
      assertThat(last.getTypeUrl()).isEqualTo(TypeUrls.CLUSTER);
      assertThat(last.toString()).doesNotContain("inbound|");
    }
  }
}
