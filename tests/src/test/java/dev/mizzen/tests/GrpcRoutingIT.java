package dev.mizzen.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mizzen.pilot.app.ControlPlane;
import dev.mizzen.testing.mesh.MeshYaml;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The walking skeleton end to end: Mizzen serves a YAML directory, grpc-java's own xDS client
 * routes real RPCs to backends on 127.0.0.1 by what Mizzen sent it.
 */
class GrpcRoutingIT {
  @TempDir Path dir;

  private Backend v1;
  private Backend v2;
  private ControlPlane cp;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    v1 = new Backend("v1");
    v2 = new Backend("v2");
    Files.writeString(dir.resolve("mesh.yaml"), mesh());
    Files.writeString(dir.resolve("routing.yaml"), routing(headerAndWeights()));
    cp = ControlPlane.start(ControlPlane.Options.forTest(dir, "istio-system"));
    channel =
        XdsClients.channel(
            "echo.shop:7070",
            XdsClients.bootstrap(cp.xdsPort(), "client-1", "shop", Map.of("app", "client")));
  }

  @AfterEach
  void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (cp != null) {
      cp.close();
    }
    v1.close();
    v2.close();
  }

  private String mesh() {
    return MeshYaml.members("shop")
        + """
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: echo, namespace: shop}
        spec:
          clusterIP: 10.96.0.10
          selector: {app: echo}
          ports: [{name: grpc, port: 7070}]
        ---
        apiVersion: v1
        kind: Endpoints
        metadata: {name: echo, namespace: shop}
        subsets:
        - addresses: [{ip: 127.0.0.1, targetRef: {kind: Pod, name: echo-v1}}]
          ports: [{name: grpc, port: %d}]
        - addresses: [{ip: 127.0.0.1, targetRef: {kind: Pod, name: echo-v2}}]
          ports: [{name: grpc, port: %d}]
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: echo-v1, namespace: shop, labels: {app: echo, version: v1}}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: echo-v2, namespace: shop, labels: {app: echo, version: v2}}
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: echo, namespace: shop}
        spec:
          host: echo
          subsets:
          - {name: v1, labels: {version: v1}}
          - {name: v2, labels: {version: v2}}
        """
            .formatted(v1.port(), v2.port());
  }

  private static String headerAndWeights() {
    return """
          - name: by-header
            match:
            - headers:
                x-variant: {exact: b}
            route:
            - destination: {host: echo, subset: v2}
          - name: split
            route:
            - destination: {host: echo, subset: v1}
              weight: 80
            - destination: {host: echo, subset: v2}
              weight: 20
        """;
  }

  private static String routing(String http) {
    return """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: echo, namespace: shop}
        spec:
          hosts: [echo]
          http:
        """
        + http;
  }

  private String call(Map<String, String> headers) {
    Channel ch = ClientInterceptors.intercept(channel, headerInterceptor(headers));
    return SimpleServiceGrpc.newBlockingStub(ch)
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .withWaitForReady()
        .unaryRpc(SimpleRequest.getDefaultInstance())
        .getResponseMessage();
  }

  private static ClientInterceptor headerInterceptor(Map<String, String> headers) {
    return new ClientInterceptor() {
      @Override
      public <Q, R> ClientCall<Q, R> interceptCall(
          MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        return new ForwardingClientCall.SimpleForwardingClientCall<>(
            next.newCall(method, options)) {
          @Override
          public void start(Listener<R> listener, Metadata md) {
            headers.forEach(
                (k, v) -> md.put(Metadata.Key.of(k, Metadata.ASCII_STRING_MARSHALLER), v));
            super.start(listener, md);
          }
        };
      }
    };
  }

  private Map<String, Integer> tally(int calls, Map<String, String> headers) {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < calls; i++) {
      counts.merge(call(headers), 1, Integer::sum);
    }
    return counts;
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(50);
    }
  }

  @Test
  void routesByHeaderAndSplitsTheRestByWeight() {
    Map<String, Integer> withHeader = tally(50, Map.of("x-variant", "b"));
    assertThat(withHeader).containsOnlyKeys("v2");

    Map<String, Integer> without = tally(400, Map.of());
    int toV1 = without.getOrDefault("v1", 0);
    // 80/20 over 400 calls: v1 gets 320 on average, with a standard deviation of 8.
    assertThat(toV1).isBetween(280, 360);
    assertThat(without.getOrDefault("v2", 0)).isEqualTo(400 - toV1);
  }

  @Test
  void followsAnEditedVirtualServiceWithoutARestart() throws Exception {
    assertThat(call(Map.of())).isIn("v1", "v2");
    Files.writeString(
        dir.resolve("routing.yaml"),
        routing(
            """
              - route:
                - destination: {host: echo, subset: v2}
            """));
    await("every call reaches v2", () -> tally(20, Map.of()).keySet().equals(Set.of("v2")));
    assertThat(tally(100, Map.of())).containsOnlyKeys("v2");
  }

  @Test
  void anInvalidObjectDoesNotStopTheGoodOnesFromBeingServed() throws Exception {
    Files.writeString(
        dir.resolve("broken.yaml"),
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: broken, namespace: shop}
        spec:
          hosts: [echo-admin]
          http:
          - match: [{uri: {regex: "(?<name>x"}}]
            route: [{destination: {host: echo}}]
        """);
    await("the broken object is refused", () -> configz().toString().contains("\"broken\""));
    JsonNode refused = null;
    for (JsonNode e : configz()) {
      if (e.path("metadata").path("name").asText().equals("broken")) {
        refused = e;
      }
    }
    assertThat(refused).isNotNull();
    assertThat(refused.path("accepted").asBoolean()).isFalse();
    assertThat(refused.path("errors").get(0).path("field").asText())
        .isEqualTo("spec.http[0].match[0].uri.regex");
    assertThat(refused.path("errors").get(0).path("reason").asText())
        .startsWith("invalid RE2 regular expression");

    // The rest keeps being served and routed.
    assertThat(tally(30, Map.of("x-variant", "b"))).containsOnlyKeys("v2");
    Files.writeString(
        dir.resolve("routing.yaml"),
        routing(
            """
              - route:
                - destination: {host: echo, subset: v1}
            """));
    await("every call reaches v1", () -> tally(20, Map.of()).keySet().equals(Set.of("v1")));
  }

  private JsonNode configz() {
    try {
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + cp.debugPort() + "/debug/configz"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      return new ObjectMapper().readTree(r.body());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
