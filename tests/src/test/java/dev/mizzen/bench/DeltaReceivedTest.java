package dev.mizzen.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeltaReceivedTest {
  private static ClusterLoadAssignment assignment(String name) {
    return ClusterLoadAssignment.newBuilder().setClusterName(name).build();
  }

  @Test
  void readsWhatAnAckNeedsEachResourcesNameAndValueAndTheRemovedNames() throws Exception {
    DeltaDiscoveryResponse r =
        DeltaDiscoveryResponse.newBuilder()
            .setSystemVersionInfo("2026-12-05T10:00:00Z/7")
            .setTypeUrl(ProxyStream.EDS)
            .setNonce("n9")
            .addResources(
                Resource.newBuilder()
                    // Fields around the name and the resource, which are skipped.
                    .setVersion("a1")
                    .addAliases("alias")
                    .setName("outbound|8080||a.ns.svc.cluster.local")
                    .setTtl(Duration.newBuilder().setSeconds(5))
                    .setResource(Any.pack(assignment("outbound|8080||a.ns.svc.cluster.local")))
                    .setMetadata(Metadata.getDefaultInstance()))
            .addResources(
                Resource.newBuilder()
                    .setName("outbound|8080|v1|a.ns.svc.cluster.local")
                    .setVersion("b1")
                    .setResource(Any.pack(assignment("outbound|8080|v1|a.ns.svc.cluster.local"))))
            .addRemovedResources("outbound|8080||gone.ns.svc.cluster.local")
            .addRemovedResources("outbound|8080|v2|gone.ns.svc.cluster.local")
            .build();
    byte[] bytes = r.toByteArray();

    DeltaReceived light = DeltaReceived.parse(bytes, false);
    assertThat(light.typeUrl()).isEqualTo(ProxyStream.EDS);
    assertThat(light.version()).isEqualTo("2026-12-05T10:00:00Z/7");
    assertThat(light.nonce()).isEqualTo("n9");
    assertThat(light.wireBytes()).isEqualTo(r.getSerializedSize());
    assertThat(light.full()).isNull();
    assertThat(light.resources())
        .extracting(DeltaReceived.Named::name)
        .containsExactly(
            "outbound|8080||a.ns.svc.cluster.local", "outbound|8080|v1|a.ns.svc.cluster.local");
    for (int i = 0; i < 2; i++) {
      assertThat(light.resources().get(i).value())
          .isEqualTo(r.getResources(i).getResource().getValue());
    }
    assertThat(light.removed())
        .containsExactly(
            "outbound|8080||gone.ns.svc.cluster.local",
            "outbound|8080|v2|gone.ns.svc.cluster.local");
    assertThat(DeltaReceived.parse(bytes, true).full()).isEqualTo(r);
  }

  @Test
  void readsAnEmptyResponse() throws Exception {
    DeltaDiscoveryResponse r =
        DeltaDiscoveryResponse.newBuilder().setTypeUrl(ProxyStream.RDS).setNonce("1").build();

    DeltaReceived light = DeltaReceived.parse(r.toByteArray(), false);
    assertThat(light.typeUrl()).isEqualTo(ProxyStream.RDS);
    assertThat(light.version()).isEmpty();
    assertThat(light.nonce()).isEqualTo("1");
    assertThat(light.resources()).isEmpty();
    assertThat(light.removed()).isEqualTo(List.of());
  }
}
