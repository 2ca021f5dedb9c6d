package dev.mizzen.pilot.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.mizzen.pilot.app.ControlPlane;
import dev.mizzen.pilot.cache.TypeUrls;
import dev.mizzen.testing.xds.AdsTestStream;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The xDS ports' limits on what one client may ask: a client over one gets a status that names it,
 * and the other streams go on.
 */
class XdsLimitsTest {
  @TempDir Path dir;
  private ControlPlane cp;

  private void start(XdsLimits limits) throws Exception {
    Files.writeString(
        dir.resolve("mesh.yaml"),
        """
        apiVersion: maistra.io/v1
        kind: ServiceMeshMemberRoll
        metadata: {name: default, namespace: istio-system}
        spec: {members: [shop]}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: shop}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: shop}
        spec: {ports: [{name: http, port: 8080}]}
        """);
    cp =
        ControlPlane.start(ControlPlane.Options.forTest(dir, "istio-system").withXdsLimits(limits));
  }

  @AfterEach
  void stop() {
    if (cp != null) {
      cp.close();
    }
  }

  private static void served(AdsTestStream ads, String pod) throws Exception {
    ads.request(AdsTestStream.sidecar(pod, "shop"), TypeUrls.CLUSTER, List.of(), "", "");
    ads.ack(ads.next(), List.of());
  }

  @Test
  void connectionsOverTheBoundPerAddressAreRefusedAndTheOthersServed() throws Exception {
    start(XdsLimits.defaults().withNewStreamsPerSecond(0).withMaxConnectionsPerAddress(2));
    try (AdsTestStream first = new AdsTestStream(cp.xdsPort());
        AdsTestStream second = new AdsTestStream(cp.xdsPort())) {
      served(first, "web-1");
      served(second, "web-2");
      try (AdsTestStream third = new AdsTestStream(cp.xdsPort())) {
        third.request(AdsTestStream.sidecar("web-3", "shop"), TypeUrls.CLUSTER, List.of(), "", "");
        Status status = third.awaitClose();
        assertThat(status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(status.getDescription())
            .startsWith("too many connections from /127.0.0.1")
            .endsWith("at most 2 per source address");
      }
      assertThat(cp.pipeline().streams().find("web-1.shop")).isPresent();
      assertThat(cp.pipeline().streams().find("web-2.shop")).isPresent();
    }
    // Once they are gone, the address may connect again.
    try (AdsTestStream again = new AdsTestStream(cp.xdsPort())) {
      served(again, "web-4");
    }
  }

  @Test
  void aStormOfNewStreamsIsAdmittedAtTheBoundedRateAndTheRestToldToRetry() throws Exception {
    start(XdsLimits.defaults().withNewStreamsPerSecond(2));
    List<AdsTestStream> storm = new ArrayList<>();
    try {
      for (int i = 0; i < 12; i++) {
        AdsTestStream s = new AdsTestStream(cp.xdsPort());
        storm.add(s);
        s.request(AdsTestStream.sidecar("storm-" + i, "shop"), TypeUrls.CLUSTER, List.of(), "", "");
      }
      // Each stream is either served or refused.
      AdsTestStream.await(
          () -> storm.stream().allMatch(s -> s.hasResponse() || s.closedWith() != null));
      int refused = 0;
      int admitted = 0;
      for (AdsTestStream s : storm) {
        Status status = s.closedWith();
        if (status == null) {
          admitted++;
          continue;
        }
        assertThat(status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(status.getDescription())
            .isEqualTo("too many new streams: at most 2 are admitted per second; retry");
        refused++;
      }
      assertThat(admitted).isPositive();
      assertThat(refused).isPositive();
      assertThat(cp.metrics().scrape())
          .contains("pilot_xds_refused_streams{reason=\"over_limit\"}");
    } finally {
      for (AdsTestStream s : storm) {
        s.close();
      }
    }
  }

  @Test
  void aNodeLargerThanTheBoundIsRefusedWithItsSize() throws Exception {
    start(XdsLimits.defaults().withNewStreamsPerSecond(0));
    Node big =
        AdsTestStream.sidecar("web-1", "shop").toBuilder()
            .setMetadata(
                Struct.newBuilder()
                    .putFields("NAMESPACE", Value.newBuilder().setStringValue("shop").build())
                    .putFields(
                        "PADDING", Value.newBuilder().setStringValue("x".repeat(300_000)).build()))
            .build();
    try (AdsTestStream ads = new AdsTestStream(cp.xdsPort());
        AdsTestStream other = new AdsTestStream(cp.xdsPort())) {
      ads.request(big, TypeUrls.CLUSTER, List.of(), "", "");
      Status status = ads.awaitClose();
      assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(status.getDescription()).endsWith("at most 262144 are read");
      served(other, "web-2");
    }
  }

  @Test
  void aNodeIdIsPrintedEscapedAndCut() throws Exception {
    start(XdsLimits.defaults().withNewStreamsPerSecond(0));
    Node evil =
        AdsTestStream.sidecar("web-1", "shop").toBuilder()
            .setId("sidecar~10.0.0.1~web\u001b[31m\nFAKE LOG LINE~" + "a".repeat(2000))
            .build();
    try (AdsTestStream ads = new AdsTestStream(cp.xdsPort())) {
      ads.request(evil, TypeUrls.CLUSTER, List.of(), "", "");
      Status status = ads.awaitClose();
      assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(status.getDescription())
          .startsWith("the node id is 2040 characters long; at most 1024 are read")
          .contains("web\\u001b[31m\\u000aFAKE LOG LINE")
          .doesNotContain("\n")
          .endsWith("more characters)\"");
    }
  }
}
