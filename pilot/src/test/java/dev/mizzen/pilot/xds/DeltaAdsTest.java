package dev.mizzen.pilot.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.rpc.Status;
import dev.mizzen.envoyrules.EnvoyRules;
import dev.mizzen.pilot.app.ControlPlane;
import dev.mizzen.pilot.cache.TypeUrls;
import dev.mizzen.testing.mesh.MeshYaml;
import dev.mizzen.testing.xds.AdsTestStream;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Incremental ADS: per-resource versions, removals, subscribe and unsubscribe, reconnects. */
class DeltaAdsTest {
  @TempDir Path dir;
  private ControlPlane cp;

  private static final String MESH =
      MeshYaml.members("shop")
          + """
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: web, namespace: shop}
      spec: {ports: [{name: http, port: 8080}]}
      ---
      apiVersion: v1
      kind: Endpoints
      metadata: {name: web, namespace: shop}
      subsets: [{addresses: [{ip: 10.1.0.1}], ports: [{name: http, port: 8080}]}]
      """;

  private static final String API =
      """
      apiVersion: v1
      kind: Service
      metadata: {name: api, namespace: shop}
      spec: {ports: [{name: http, port: 9090}]}
      """;

  private static final String WEB = "outbound|8080||web.shop.svc.cluster.local";
  private static final String API_CLUSTER = "outbound|9090||api.shop.svc.cluster.local";

  /** A raw delta stream. */
  private static final class Delta implements AutoCloseable {
    final ManagedChannel channel;
    final StreamObserver<DeltaDiscoveryRequest> requests;
    final BlockingQueue<DeltaDiscoveryResponse> responses = new LinkedBlockingQueue<>();

    Delta(int port) {
      channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
      requests =
          AggregatedDiscoveryServiceGrpc.newStub(channel)
              .deltaAggregatedResources(
                  new StreamObserver<>() {
                    @Override
                    public void onNext(DeltaDiscoveryResponse r) {
                      responses.add(r);
                    }

                    @Override
                    public void onError(Throwable t) {}

                    @Override
                    public void onCompleted() {}
                  });
    }

    void send(DeltaDiscoveryRequest.Builder r) {
      requests.onNext(r.build());
    }

    DeltaDiscoveryResponse next() throws InterruptedException {
      DeltaDiscoveryResponse r = responses.poll(10, TimeUnit.SECONDS);
      assertThat(r).as("a delta response within 10s").isNotNull();
      return followsEnvoyRules(r);
    }

    DeltaDiscoveryResponse poll(long millis) throws InterruptedException {
      DeltaDiscoveryResponse r = responses.poll(millis, TimeUnit.MILLISECONDS);
      return r == null ? null : followsEnvoyRules(r);
    }

    /** Every resource sent follows Envoy's validation rules. */
    private static DeltaDiscoveryResponse followsEnvoyRules(DeltaDiscoveryResponse r) {
      for (Resource resource : r.getResourcesList()) {
        assertThat(EnvoyRules.get().checkPacked(resource.getResource()))
            .as("Envoy's validation rules for %s %s", r.getTypeUrl(), resource.getName())
            .isEmpty();
      }
      return r;
    }

    void ack(DeltaDiscoveryResponse r) {
      send(
          DeltaDiscoveryRequest.newBuilder()
              .setTypeUrl(r.getTypeUrl())
              .setResponseNonce(r.getNonce()));
    }

    @Override
    public void close() throws InterruptedException {
      requests.onCompleted();
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static Map<String, String> versions(DeltaDiscoveryResponse r) {
    return r.getResourcesList().stream()
        .collect(Collectors.toMap(Resource::getName, Resource::getVersion));
  }

  @BeforeEach
  void start() throws Exception {
    Files.writeString(dir.resolve("mesh.yaml"), MESH);
    cp = ControlPlane.start(ControlPlane.Options.forTest(dir, "istio-system"));
  }

  @AfterEach
  void stop() {
    cp.close();
  }

  @Test
  void sendsOnlyWhatChangedAndNamesWhatWentAway() throws Exception {
    Node node = AdsTestStream.sidecar("web-1", "shop");
    Map<String, String> held;
    try (Delta delta = new Delta(cp.xdsPort())) {
      delta.send(DeltaDiscoveryRequest.newBuilder().setNode(node).setTypeUrl(TypeUrls.CLUSTER));
      DeltaDiscoveryResponse first = delta.next();
      held = versions(first);
      assertThat(held).containsKeys(WEB, "BlackHoleCluster", "PassthroughCluster");
      assertThat(held.values()).allSatisfy(v -> assertThat(v).isNotEmpty());
      assertThat(first.getRemovedResourcesList()).isEmpty();
      delta.ack(first);

      // Subscribing by name: a known name is sent, an unknown one is reported removed.
      delta.send(
          DeltaDiscoveryRequest.newBuilder()
              .setTypeUrl(TypeUrls.ENDPOINT)
              .addResourceNamesSubscribe(WEB)
              .addResourceNamesSubscribe("outbound|1||gone"));
      DeltaDiscoveryResponse eds = delta.next();
      assertThat(versions(eds)).containsOnlyKeys(WEB);
      assertThat(eds.getRemovedResourcesList()).containsExactly("outbound|1||gone");
      delta.ack(eds);

      // A new service: only its cluster is sent.
      Files.writeString(dir.resolve("api.yaml"), API);
      DeltaDiscoveryResponse added = delta.next();
      assertThat(added.getTypeUrl()).isEqualTo(TypeUrls.CLUSTER);
      assertThat(versions(added)).containsOnlyKeys(API_CLUSTER);
      delta.ack(added);
      held.putAll(versions(added));

      // Unsubscribed endpoints are not sent again.
      delta.send(
          DeltaDiscoveryRequest.newBuilder()
              .setTypeUrl(TypeUrls.ENDPOINT)
              .addResourceNamesUnsubscribe(WEB));
      assertThat(delta.poll(700)).isNull();

      // Its removal is named.
      Files.delete(dir.resolve("api.yaml"));
      DeltaDiscoveryResponse removed = delta.next();
      assertThat(removed.getTypeUrl()).isEqualTo(TypeUrls.CLUSTER);
      assertThat(removed.getResourcesList()).isEmpty();
      assertThat(removed.getRemovedResourcesList()).containsExactly(API_CLUSTER);
      delta.ack(removed);
      held.remove(API_CLUSTER);
      assertThat(delta.poll(500)).isNull();
    }

    // Reconnecting with what it holds, plus a cluster that no longer exists.
    try (Delta delta = new Delta(cp.xdsPort())) {
      Map<String, String> initial = new HashMap<>(held);
      initial.put(API_CLUSTER, "stale");
      delta.send(
          DeltaDiscoveryRequest.newBuilder()
              .setNode(node)
              .setTypeUrl(TypeUrls.CLUSTER)
              .putAllInitialResourceVersions(initial));
      DeltaDiscoveryResponse r = delta.next();
      assertThat(r.getResourcesList()).as("nothing it holds has changed").isEmpty();
      assertThat(r.getRemovedResourcesList()).containsExactly(API_CLUSTER);
    }
  }

  /** What the proxy of the stream of {@code pod} holds of {@code type}. */
  private Held held(String pod, String type) {
    return cp.pipeline().streams().connections().stream()
        .filter(c -> c.proxy() != null && c.proxy().podName().equals(pod))
        .findFirst()
        .map(
            c -> {
              synchronized (c) {
                return c.state(type).delta.known;
              }
            })
        .orElseThrow();
  }

  @Test
  void streamsInTheSameStateShareWhatTheyHoldAndTheBytesTheyAreSent() throws Exception {
    try (Delta a = new Delta(cp.xdsPort());
        Delta b = new Delta(cp.xdsPort())) {
      for (var d : Map.of(a, "web-1", b, "web-2").entrySet()) {
        d.getKey()
            .send(
                DeltaDiscoveryRequest.newBuilder()
                    .setNode(AdsTestStream.sidecar(d.getValue(), "shop"))
                    .setTypeUrl(TypeUrls.CLUSTER));
      }
      DeltaDiscoveryResponse fromA = a.next();
      DeltaDiscoveryResponse fromB = b.next();
      assertThat(fromB.getResourcesList()).isEqualTo(fromA.getResourcesList());
      a.ack(fromA);
      b.ack(fromB);
      for (var d : List.of(a, b)) {
        d.send(
            DeltaDiscoveryRequest.newBuilder()
                .setTypeUrl(TypeUrls.ENDPOINT)
                .addResourceNamesSubscribe(WEB));
        d.ack(d.next());
      }
      AdsTestStream.await(
          () ->
              held("web-1", TypeUrls.ENDPOINT).size() == 1
                  && held("web-2", TypeUrls.ENDPOINT).size() == 1);
      // One instance for both proxies, of every type they hold.
      assertThat(held("web-1", TypeUrls.CLUSTER)).isSameAs(held("web-2", TypeUrls.CLUSTER));
      assertThat(held("web-1", TypeUrls.ENDPOINT)).isSameAs(held("web-2", TypeUrls.ENDPOINT));

      // A change reaches both with the same resources, and again they hold one instance.
      Files.writeString(dir.resolve("api.yaml"), API);
      DeltaDiscoveryResponse addedA = a.next();
      DeltaDiscoveryResponse addedB = b.next();
      assertThat(versions(addedA)).containsOnlyKeys(API_CLUSTER).isEqualTo(versions(addedB));
      a.ack(addedA);
      b.ack(addedB);
      AdsTestStream.await(() -> held("web-1", TypeUrls.CLUSTER).contains(API_CLUSTER));
      AdsTestStream.await(() -> held("web-2", TypeUrls.CLUSTER).contains(API_CLUSTER));
      assertThat(held("web-1", TypeUrls.CLUSTER)).isSameAs(held("web-2", TypeUrls.CLUSTER));
    }
  }

  @Test
  void aNackedVersionIsNotResentUntilTheConfigChanges() throws Exception {
    try (Delta delta = new Delta(cp.xdsPort())) {
      delta.send(
          DeltaDiscoveryRequest.newBuilder()
              .setNode(AdsTestStream.sidecar("web-1", "shop"))
              .setTypeUrl(TypeUrls.CLUSTER));
      delta.ack(delta.next());
      Files.writeString(dir.resolve("api.yaml"), API);
      DeltaDiscoveryResponse added = delta.next();
      delta.send(
          DeltaDiscoveryRequest.newBuilder()
              .setTypeUrl(TypeUrls.CLUSTER)
              .setResponseNonce(added.getNonce())
              .setErrorDetail(Status.newBuilder().setMessage("refused")));
      assertThat(delta.poll(1000)).isNull();
      Files.writeString(dir.resolve("api.yaml"), API.replace("9090", "9091"));
      DeltaDiscoveryResponse next = delta.next();
      // Still owed the first change, since the proxy refused it.
      assertThat(versions(next)).containsKey("outbound|9091||api.shop.svc.cluster.local");
      assertThat(next.getRemovedResourcesList()).doesNotContain(API_CLUSTER);
    }
  }

  @Test
  void aSidecarResourceRemovesWhatItPutsOutOfScope() throws Exception {
    String pay = "outbound|9090||billing.pay.svc.cluster.local";
    Files.writeString(
        dir.resolve("mesh.yaml"),
        MESH.replace("members: [shop]", "members: [shop, pay]")
            + """
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: pay}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: billing, namespace: pay}
            spec: {ports: [{name: http, port: 9090}]}
            """);
    AdsTestStream.await(() -> cp.pipeline().status().membership().configured().contains("pay"));
    try (Delta delta = new Delta(cp.xdsPort())) {
      delta.send(
          DeltaDiscoveryRequest.newBuilder()
              .setNode(AdsTestStream.sidecar("web-1", "shop"))
              .setTypeUrl(TypeUrls.CLUSTER));
      DeltaDiscoveryResponse first = delta.next();
      assertThat(versions(first)).containsKeys(WEB, pay);
      delta.ack(first);

      Files.writeString(
          dir.resolve("sidecar.yaml"),
          """
          apiVersion: networking.istio.io/v1
          kind: Sidecar
          metadata: {name: default, namespace: shop}
          spec:
            egress: [{hosts: ["./*"]}]
          """);
      DeltaDiscoveryResponse shrunk = delta.next();
      assertThat(shrunk.getRemovedResourcesList()).containsExactly(pay);
      assertThat(shrunk.getResourcesList()).isEmpty();
      delta.ack(shrunk);

      Files.delete(dir.resolve("sidecar.yaml"));
      DeltaDiscoveryResponse back = delta.next();
      assertThat(versions(back)).containsOnlyKeys(pay);
    }
  }

  @Test
  void aRouterIsSentItsGatewayListenersAndTheirRemoval() throws Exception {
    Node router =
        Node.newBuilder()
            .setId("router~10.0.0.5~ingress-1.shop~shop.svc.cluster.local")
            .setMetadata(
                Struct.newBuilder()
                    .putFields("NAMESPACE", Value.newBuilder().setStringValue("shop").build())
                    .putFields(
                        "LABELS",
                        Value.newBuilder()
                            .setStructValue(
                                Struct.newBuilder()
                                    .putFields(
                                        "istio",
                                        Value.newBuilder()
                                            .setStringValue("ingressgateway")
                                            .build()))
                            .build()))
            .build();
    String gateway =
        """
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: edge, namespace: shop}
        spec:
          selector: {istio: ingressgateway}
          servers:
          - {port: {number: 8080, name: http, protocol: HTTP}, hosts: ["*"]}
          - {port: {number: 8443, name: https, protocol: HTTPS}, hosts: ["*"], tls: {mode: SIMPLE, credentialName: edge-cert}}
        """;
    Files.writeString(dir.resolve("gateway.yaml"), gateway);
    AdsTestStream.await(() -> !cp.pipeline().status().push().gateways().isEmpty());
    try (Delta delta = new Delta(cp.xdsPort())) {
      delta.send(DeltaDiscoveryRequest.newBuilder().setNode(router).setTypeUrl(TypeUrls.LISTENER));
      DeltaDiscoveryResponse first = delta.next();
      assertThat(versions(first)).containsOnlyKeys("0.0.0.0_8080", "0.0.0.0_8443");
      delta.ack(first);

      // The HTTPS server goes: only its listener is named removed, the other is not resent.
      Files.writeString(
          dir.resolve("gateway.yaml"),
          gateway.substring(0, gateway.indexOf("  - {port: {number: 8443")));
      DeltaDiscoveryResponse removed = delta.next();
      assertThat(removed.getResourcesList()).isEmpty();
      assertThat(removed.getRemovedResourcesList()).containsExactly("0.0.0.0_8443");
    }
  }

  @Test
  void grpcLikeSubscriptionsByNameWork() throws Exception {
    try (Delta delta = new Delta(cp.xdsPort())) {
      delta.send(
          DeltaDiscoveryRequest.newBuilder()
              .setNode(AdsTestStream.sidecar("web-1", "shop"))
              .setTypeUrl(TypeUrls.ROUTE)
              .addAllResourceNamesSubscribe(List.of("8080")));
      DeltaDiscoveryResponse r = delta.next();
      assertThat(versions(r)).containsOnlyKeys("8080");
    }
  }
}
