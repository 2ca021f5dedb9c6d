package dev.mizzen.pilot.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mizzen.ingest.model.Kind;
import dev.mizzen.ingest.model.ObjectRef;
import dev.mizzen.pilot.app.ControlPlane;
import dev.mizzen.pilot.cache.TypeUrls;
import dev.mizzen.testing.mesh.MeshYaml;
import dev.mizzen.testing.xds.AdsTestStream;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
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
 * With {@code --validate-output} (on in every test that starts Mizzen), a snapshot breaking one of
 * Envoy's validation rules is held back: its proxies keep the last good config, and the refusal
 * names the resource, the field, the rule and the object it came from. Istio's validation lets a
 * ring hash's {@code minimumRingSize} above Envoy's limit (2^23) through, and so does Mizzen's.
 */
class EnvoyRulesHoldTest {
  private static final String CLUSTER = "outbound|8080||web.shop.svc.cluster.local";

  @TempDir Path dir;
  private ControlPlane cp;

  @BeforeEach
  void start() throws Exception {
    Files.writeString(
        dir.resolve("mesh.yaml"),
        MeshYaml.members("shop")
            + """
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: shop}
        spec:
          clusterIP: 10.96.0.20
          ports: [{name: http, port: 8080}]
        """);
    cp = ControlPlane.start(ControlPlane.Options.forTest(dir, "istio-system"));
  }

  @AfterEach
  void stop() {
    cp.close();
  }

  private static String ringHash(long minimumRingSize) {
    return """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: web, namespace: shop}
        spec:
          host: web.shop.svc.cluster.local
          trafficPolicy:
            loadBalancer:
              consistentHash: {httpHeaderName: x-user, minimumRingSize: %d}
        """
        .formatted(minimumRingSize);
  }

  private static List<Cluster> clusters(DiscoveryResponse r) throws Exception {
    List<Cluster> clusters = new ArrayList<>();
    for (var resource : r.getResourcesList()) {
      clusters.add(resource.unpack(Cluster.class));
    }
    return clusters;
  }

  @Test
  void aSnapshotBreakingEnvoysRulesIsHeldAndReportedOnItsObject() throws Exception {
    try (AdsTestStream s = new AdsTestStream(cp.xdsPort())) {
      s.request(AdsTestStream.sidecar("web-1", "shop"), TypeUrls.CLUSTER, List.of(), "", "");
      DiscoveryResponse first = s.next();
      s.ack(first, List.of());
      long before = cp.pipeline().status().push().number();

      Files.writeString(dir.resolve("dr.yaml"), ringHash(10_000_000));
      AdsTestStream.await(() -> cp.pipeline().status().push().number() > before);

      assertThat(s.poll(1000)).as("no cluster update: the proxy keeps its last good one").isNull();
      assertThat(cp.pipeline().status().failedGroups()).isEqualTo(1);
      List<Rejections.Rejection> held =
          cp.pipeline().rejections().of(new ObjectRef(Kind.DESTINATION_RULE, "shop", "web"));
      assertThat(held).hasSize(1);
      Rejections.Rejection r = held.get(0);
      assertThat(r.proxy()).isEqualTo("envoy/sidecar/shop");
      assertThat(r.type()).isEqualTo("cluster");
      assertThat(r.resources()).containsExactly(CLUSTER);
      assertThat(r.error())
          .isEqualTo(
              "not published: breaks Envoy's validation rules: Cluster \""
                  + CLUSTER
                  + "\": "
                  + "ring_hash_lb_config.minimum_ring_size: must be less than or equal to 8388608 (got 10000000)");

      // Within Envoy's limit, the snapshot is published and the refusal is gone.
      long held2 = cp.pipeline().status().push().number();
      Files.writeString(dir.resolve("dr.yaml"), ringHash(8_388_608));
      AdsTestStream.await(() -> cp.pipeline().status().push().number() > held2);
      DiscoveryResponse fixed = s.next();
      assertThat(clusters(fixed))
          .filteredOn(c -> c.getName().equals(CLUSTER))
          .singleElement()
          .satisfies(
              c ->
                  assertThat(c.getRingHashLbConfig().getMinimumRingSize().getValue())
                      .isEqualTo(8_388_608));
      assertThat(cp.pipeline().rejections().current()).isEmpty();
    }
  }
}
