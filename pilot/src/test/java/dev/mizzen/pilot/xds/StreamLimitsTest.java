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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What one client can make the server hold is bounded, and going over a bound ends that client's
 * stream only: a client that stops reading, one that names more resources than any proxy needs, one
 * that asks for types Mizzen does not serve.
 */
class StreamLimitsTest {
  /** Enough services that a few responses fill a stalled client's transport window. */
  private static final int SERVICES = 150;

  @TempDir Path dir;
  private ControlPlane cp;

  @BeforeEach
  void start() throws Exception {
    StringBuilder mesh = new StringBuilder(MeshYaml.members("shop"));
    for (int i = 0; i < SERVICES; i++) {
      mesh.append(
          """
          ---
          apiVersion: v1
          kind: Service
          metadata: {name: svc-%d, namespace: shop}
          spec: {ports: [{name: http, port: 8080}, {name: grpc, port: 9090}]}
          ---
          apiVersion: v1
          kind: Endpoints
          metadata: {name: svc-%d, namespace: shop}
          subsets: [{addresses: [{ip: 10.1.%d.%d}], ports: [{name: http, port: 8080}, {name: grpc, port: 9090}]}]
          """
              .formatted(i, i, i / 250, i % 250 + 1));
    }
    Files.writeString(dir.resolve("mesh.yaml"), mesh.toString());
    cp = ControlPlane.start(ControlPlane.Options.forTest(dir, "istio-system"));
  }

  @AfterEach
  void stop() {
    cp.close();
  }

  @Test
  void aClientThatStopsReadingIsClosedAndTheOthersConverge() throws Exception {
    try (StallingRelay relay = new StallingRelay(cp.xdsPort());
        AdsTestStream stalled = new AdsTestStream(relay.port(), 64 * 1024);
        AdsTestStream good = new AdsTestStream(cp.xdsPort())) {
      stalled.request(
          AdsTestStream.sidecar("stalled-1", "shop"), TypeUrls.CLUSTER, List.of(), "", "");
      stalled.ack(stalled.next(), List.of());
      // From now on the stalled client reads nothing, and asks again after every change.
      relay.stall();
      good.request(AdsTestStream.sidecar("good-1", "shop"), TypeUrls.CLUSTER, List.of(), "", "");
      DiscoveryResponse latest = good.next();
      good.ack(latest, List.of());
      // A stream that does not read is written to at most once a second (the push queue's lease),
      // so the bound of unread responses is reached after about that many seconds.
      int changes = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline
          && cp.pipeline().streams().find("stalled-1.shop").isPresent()) {
        Files.writeString(
            dir.resolve("change.yaml"),
            """
            apiVersion: v1
            kind: Service
            metadata: {name: extra, namespace: shop}
            spec: {ports: [{name: http, port: %d}]}
            """
                .formatted(10000 + changes++));
        latest = good.next();
        good.ack(latest, List.of());
        // An empty nonce asks afresh, as a client that lost track of its stream would.
        stalled.request(null, TypeUrls.CLUSTER, List.of(), "", "");
      }
      assertThat(cp.pipeline().streams().find("stalled-1.shop"))
          .as("closed after %d changes", changes)
          .isEmpty();

      // The well-behaved proxy is on the latest config, and is still served.
      String version = latest.getVersionInfo();
      AdsTestStream.await(
          () ->
              cp.pipeline()
                  .streams()
                  .find("good-1.shop")
                  .orElseThrow()
                  .status()
                  .get(TypeUrls.CLUSTER)
                  .ackedVersion()
                  .equals(version));
      Files.writeString(
          dir.resolve("change.yaml"),
          """
          apiVersion: v1
          kind: Service
          metadata: {name: extra, namespace: shop}
          spec: {ports: [{name: http, port: 9999}]}
          """);
      assertThat(good.next().getVersionInfo()).isNotEqualTo(version);
    }
  }

  @Test
  void aRequestNamingMoreResourcesThanAnyProxyNeedsIsRefused() throws Exception {
    List<String> names = new ArrayList<>();
    for (int i = 0; i <= XdsLimits.defaults().maxResourceNames(); i++) {
      names.add("c" + i);
    }
    try (AdsTestStream ads = new AdsTestStream(cp.xdsPort());
        AdsTestStream other = new AdsTestStream(cp.xdsPort())) {
      other.request(AdsTestStream.sidecar("other-1", "shop"), TypeUrls.CLUSTER, List.of(), "", "");
      other.ack(other.next(), List.of());
      ads.request(AdsTestStream.sidecar("greedy-1", "shop"), TypeUrls.ENDPOINT, names, "", "");
      Status status = ads.awaitClose();
      assertThat(status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      assertThat(status.getDescription())
          .isEqualTo("a request may name at most 100000 resources; this one names 100001");
      assertThat(cp.pipeline().streams().find("other-1.shop")).isPresent();
    }
  }

  @Test
  void typesMizzenDoesNotServeKeepNoState() throws Exception {
    try (AdsTestStream ads = new AdsTestStream(cp.xdsPort())) {
      ads.request(AdsTestStream.sidecar("curious-1", "shop"), TypeUrls.CLUSTER, List.of(), "", "");
      ads.ack(ads.next(), List.of());
      for (int i = 0; i < 500; i++) {
        ads.send(
            DiscoveryRequest.newBuilder()
                .setTypeUrl("type.googleapis.com/made.up.Type" + i)
                .build());
      }
      ads.request(null, TypeUrls.LISTENER, List.of(), "", "");
      ads.next();
      assertThat(cp.pipeline().streams().find("curious-1.shop").orElseThrow().status().keySet())
          .isSubsetOf(TypeUrls.PUSH_ORDER);
    }
  }
}
