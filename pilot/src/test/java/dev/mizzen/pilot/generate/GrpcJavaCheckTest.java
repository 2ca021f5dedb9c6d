package dev.mizzen.pilot.generate;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import dev.mizzen.pilot.cache.ProxyResources;
import dev.mizzen.pilot.cache.TypeUrls;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The grpc-java judge refuses what grpc-java's client refuses, and only that. */
class GrpcJavaCheckTest {
  private static ProxyResources clusters(Cluster... clusters) {
    TreeMap<String, Message> byName = new TreeMap<>();
    for (Cluster c : clusters) {
      byName.put(c.getName(), c);
    }
    return new ProxyResources(Map.of(TypeUrls.CLUSTER, byName), Map.of());
  }

  @Test
  void acceptsAnEdsClusterAndRefusesARingLargerAtItsMinimumThanAtItsMaximum() {
    Cluster eds =
        Cluster.newBuilder()
            .setName("outbound|80||web.shop.svc.cluster.local")
            .setType(Cluster.DiscoveryType.EDS)
            .setEdsClusterConfig(
                Cluster.EdsClusterConfig.newBuilder()
                    .setEdsConfig(
                        ConfigSource.newBuilder()
                            .setAds(AggregatedConfigSource.getDefaultInstance())))
            .build();
    assertThat(GrpcJavaCheck.problems(clusters(eds))).isEmpty();
    Cluster original =
        eds.toBuilder()
            .setName("hashed")
            .setLbPolicy(Cluster.LbPolicy.RING_HASH)
            .setRingHashLbConfig(
                Cluster.RingHashLbConfig.newBuilder()
                    .setMinimumRingSize(com.google.protobuf.UInt64Value.of(4096))
                    .setMaximumRingSize(com.google.protobuf.UInt64Value.of(1024)))
            .build();
    assertThat(GrpcJavaCheck.problems(clusters(eds, original)))
        .singleElement()
        .satisfies(p -> assertThat(p).startsWith("cluster: ").contains("hashed"));
  }
}
