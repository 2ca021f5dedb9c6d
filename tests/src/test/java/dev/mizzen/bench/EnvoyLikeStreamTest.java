package dev.mizzen.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import org.junit.jupiter.api.Test;

class EnvoyLikeStreamTest {
  private static Cluster eds(String name, String serviceName) {
    return Cluster.newBuilder()
        .setName(name)
        .setType(Cluster.DiscoveryType.EDS)
        .setEdsClusterConfig(
            Cluster.EdsClusterConfig.newBuilder()
                .setEdsConfig(
                    ConfigSource.newBuilder().setAds(AggregatedConfigSource.getDefaultInstance()))
                .setServiceName(serviceName))
        .setOutlierDetection(OutlierDetection.getDefaultInstance())
        .build();
  }

  @Test
  void asksForTheEdsNamesOfEdsClustersOnly() throws Exception {
    DiscoveryResponse r =
        DiscoveryResponse.newBuilder()
            .addResources(
                Any.pack(
                    eds(
                        "outbound|8080|v1|web.shop.svc.cluster.local",
                        "outbound|8080|v1|web.shop.svc.cluster.local")))
            .addResources(Any.pack(eds("by-name", "")))
            .addResources(
                Any.pack(eds("outbound|8080||web.shop.svc.cluster.local", "shared-eds-name")))
            .addResources(
                Any.pack(
                    Cluster.newBuilder()
                        .setName("PassthroughCluster")
                        .setType(Cluster.DiscoveryType.ORIGINAL_DST)
                        .build()))
            .addResources(Any.pack(Cluster.newBuilder().setName("BlackHoleCluster").build()))
            .build();

    assertThat(EnvoyLikeStream.edsClusters(Received.parse(r.toByteArray(), false).resources()))
        .containsExactly(
            "by-name", "outbound|8080|v1|web.shop.svc.cluster.local", "shared-eds-name");
  }

  @Test
  void readsWhatAnAckNeedsAndTheResourcesAsTheFullParseDoes() throws Exception {
    DiscoveryResponse r =
        DiscoveryResponse.newBuilder()
            .setVersionInfo("v7")
            .setTypeUrl(EnvoyLikeStream.CDS)
            .setNonce("n3")
            .addResources(Any.pack(eds("a", "a")))
            .addResources(Any.pack(eds("b", "shared")))
            .build();
    byte[] bytes = r.toByteArray();

    Received light = Received.parse(bytes, false);
    assertThat(light.typeUrl()).isEqualTo(EnvoyLikeStream.CDS);
    assertThat(light.version()).isEqualTo("v7");
    assertThat(light.nonce()).isEqualTo("n3");
    assertThat(light.wireBytes()).isEqualTo(r.getSerializedSize());
    assertThat(light.full()).isNull();
    assertThat(light.resources()).hasSize(2);
    for (int i = 0; i < 2; i++) {
      assertThat(Received.value(light.resources().get(i))).isEqualTo(r.getResources(i).getValue());
    }
    assertThat(Received.parse(bytes, true).full()).isEqualTo(r);
  }
}
