package dev.mizzen.pilot.xds;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mizzen.pilot.app.ControlPlane;
import dev.mizzen.pilot.cache.TypeUrls;
import dev.mizzen.testing.mesh.MeshYaml;
import dev.mizzen.testing.xds.AdsTestStream;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that break the protocol, on purpose or by accident. Each scenario runs beside a proxy
 * that follows the protocol, and asserts what that proxy sees: it stays connected and converges on
 * every change.
 */
class ProtocolAbuseTest {
  @TempDir Path dir;
  private ControlPlane cp;
  private AdsTestStream good;
  private int changes;

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
        spec: {ports: [{name: http, port: 8080}]}
        """);
    cp = ControlPlane.start(ControlPlane.Options.forTest(dir, "istio-system"));
    good = new AdsTestStream(cp.xdsPort());
    good.request(AdsTestStream.sidecar("good-1", "shop"), TypeUrls.CLUSTER, List.of(), "", "");
    good.ack(good.next(), List.of());
  }

  @AfterEach
  void stop() throws Exception {
    good.close();
    cp.close();
  }

  /** Changes the config; the good proxy is sent it, and acknowledges it. */
  private void changeAndConverge() throws Exception {
    changes++;
    Files.writeString(
        dir.resolve("change-" + changes + ".yaml"),
        """
        apiVersion: v1
        kind: Service
        metadata: {name: svc-%d, namespace: shop}
        spec: {ports: [{name: http, port: 9090}]}
        """
            .formatted(changes));
    DiscoveryResponse r = good.next();
    assertThat(r.getResourcesList()).hasSizeGreaterThan(0);
    good.ack(r, List.of());
  }

  private static DiscoveryRequest.Builder request(String type) {
    return DiscoveryRequest.newBuilder().setTypeUrl(type);
  }

  @Test
  void aStreamWithoutANodeIsRefused() throws Exception {
    try (AdsTestStream bad = new AdsTestStream(cp.xdsPort())) {
      bad.send(request(TypeUrls.CLUSTER).build());
      Status status = bad.awaitClose();
      assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(status.getDescription()).contains("must carry the node");
    }
    changeAndConverge();
  }

  @Test
  void unknownTypesAreNotAnsweredAndTheStreamGoesOn() throws Exception {
    try (AdsTestStream odd = new AdsTestStream(cp.xdsPort())) {
      odd.request(
          AdsTestStream.sidecar("odd-1", "shop"),
          "type.googleapis.com/no.such.Type",
          List.of("x"),
          "",
          "");
      odd.request(null, "type.googleapis.com/another.Unknown", List.of(), "", "");
      assertThat(odd.poll(500)).isNull();
      odd.request(null, TypeUrls.CLUSTER, List.of(), "", "");
      assertThat(odd.next().getTypeUrl()).isEqualTo(TypeUrls.CLUSTER);
      assertThat(cp.pipeline().streams().find("odd-1.shop").orElseThrow().status())
          .doesNotContainKeys(
              "type.googleapis.com/no.such.Type", "type.googleapis.com/another.Unknown");
    }
    changeAndConverge();
  }

  @Test
  void aRequestWithoutATypeEndsItsStreamNamingTheField() throws Exception {
    try (AdsTestStream odd = new AdsTestStream(cp.xdsPort())) {
      odd.request(AdsTestStream.sidecar("odd-1", "shop"), "", List.of(), "", "");
      Status status = odd.awaitClose();
      assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(status.getDescription()).contains("type_url");
    }
    changeAndConverge();
  }

  @Test
  void nonceNeverSentAndStaleVersionsAreIgnored() throws Exception {
    try (AdsTestStream odd = new AdsTestStream(cp.xdsPort())) {
      odd.request(AdsTestStream.sidecar("odd-1", "shop"), TypeUrls.CLUSTER, List.of(), "", "");
      DiscoveryResponse first = odd.next();
      odd.send(
          request(TypeUrls.CLUSTER).setVersionInfo("v-made-up").setResponseNonce("999999").build());
      odd.send(request(TypeUrls.CLUSTER).setVersionInfo("0").setResponseNonce("0").build());
      assertThat(odd.poll(500)).isNull();
      ProxyConnection conn = cp.pipeline().streams().find("odd-1.shop").orElseThrow();
      assertThat(conn.status().get(TypeUrls.CLUSTER).ackedNonce()).isEmpty();
      odd.ack(first, List.of());
      AdsTestStream.await(
          () -> first.getNonce().equals(conn.status().get(TypeUrls.CLUSTER).ackedNonce()));
    }
    changeAndConverge();
  }

  @Test
  void aClientNackingEverythingForThirtySecondsIsSentNothingUntilTheConfigChanges()
      throws Exception {
    try (AdsTestStream nacker = new AdsTestStream(cp.xdsPort())) {
      nacker.request(
          AdsTestStream.sidecar("nacker-1", "shop"), TypeUrls.CLUSTER, List.of(), "", "");
      DiscoveryResponse last = nacker.next();
      long end = System.nanoTime() + 30_000_000_000L;
      int sent = 0;
      while (System.nanoTime() < end) {
        nacker.send(
            request(TypeUrls.CLUSTER)
                .setResponseNonce(last.getNonce())
                .setErrorDetail(com.google.rpc.Status.newBuilder().setCode(3).setMessage("no"))
                .build());
        sent++;
        assertThat(nacker.poll(50)).as("a response after %d NACKs", sent).isNull();
      }
      assertThat(sent).isGreaterThan(100);
      ProxyConnection conn = cp.pipeline().streams().find("nacker-1.shop").orElseThrow();
      assertThat(conn.status().get(TypeUrls.CLUSTER).nackedVersion())
          .isEqualTo(last.getVersionInfo());
      // The good proxy converges meanwhile, and the change reaches the NACKing one once.
      changeAndConverge();
      DiscoveryResponse next = nacker.next();
      assertThat(next.getVersionInfo()).isNotEqualTo(last.getVersionInfo());
      assertThat(nacker.poll(500)).isNull();
    }
  }

  @Test
  void thousandsOfStreamsOpenedAndDroppedLeaveNothingBehind() throws Exception {
    int baselineStreams = cp.pipeline().streams().connections().size();
    int baselineThreads = Thread.getAllStackTraces().size();
    for (int i = 0; i < 2000; i++) {
      try (AdsTestStream s = new AdsTestStream(cp.xdsPort())) {
        s.request(
            AdsTestStream.sidecar("churn-" + (i % 50), "shop"),
            TypeUrls.CLUSTER,
            List.of(),
            "",
            "");
        if (i % 10 == 0) {
          // Some wait for their answer, the others leave before it comes.
          s.next();
        }
      }
    }
    // Every churned stream is gone, and the proxy that follows the protocol is still connected.
    long deadline = System.nanoTime() + 30_000_000_000L;
    List<String> left = List.of();
    while (System.nanoTime() < deadline) {
      left =
          cp.pipeline().streams().connections().stream()
              .map(c -> c.streamId() + "=" + (c.proxy() == null ? "(unbound)" : c.proxy().id()))
              .sorted()
              .toList();
      if (left.size() == baselineStreams) {
        break;
      }
      Thread.sleep(50);
    }
    assertThat(left).as("streams left after the churn").hasSize(baselineStreams);
    assertThat(cp.pipeline().streams().find("good-1.shop")).isPresent();
    assertThat(cp.pipeline().streams().find("churn-0.shop")).isEmpty();
    // Thread pools are bounded: what the churn started winds down to about where it began.
    assertThat(Thread.getAllStackTraces().size()).isLessThan(baselineThreads + 40);
    changeAndConverge();
  }
}
