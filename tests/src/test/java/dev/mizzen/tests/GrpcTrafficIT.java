package dev.mizzen.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

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
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * VirtualService features end to end through grpc-java's own xDS client: header matches (and a
 * query-parameter route, which gRPC calls never carry), faults that abort and delay, timeouts and
 * retries, and a ServiceEntry whose static endpoints are real servers on 127.0.0.1.
 */
class GrpcTrafficIT {
  @TempDir Path dir;

  private final List<AutoCloseable> started = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();
  private ControlPlane cp;

  private static final String MEMBERS = MeshYaml.members("shop");

  @BeforeEach
  void start() throws Exception {
    Files.writeString(dir.resolve("members.yaml"), MEMBERS);
    cp = ControlPlane.start(ControlPlane.Options.forTest(dir, "istio-system"));
  }

  @AfterEach
  void stop() throws Exception {
    for (ManagedChannel c : channels) {
      c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (cp != null) {
      cp.close();
    }
    for (AutoCloseable c : started) {
      c.close();
    }
  }

  private Backend backend(String name, Duration delay, int failFirst) throws Exception {
    Backend b = new Backend(name, delay, failFirst);
    started.add(b);
    return b;
  }

  /**
   * A Kubernetes Service {@code name} in shop on gRPC port {@code port}, whose pods are the
   * backends.
   */
  private static String service(String name, int port, Map<String, Backend> versions) {
    StringBuilder y =
        new StringBuilder(
            """
            apiVersion: v1
            kind: Service
            metadata: {name: %s, namespace: shop}
            spec:
              selector: {app: %s}
              ports: [{name: grpc, port: %d}]
            ---
            apiVersion: v1
            kind: Endpoints
            metadata: {name: %s, namespace: shop}
            subsets:
            """
                .formatted(name, name, port, name));
    versions.forEach(
        (version, b) ->
            y.append(
                """
                - addresses: [{ip: 127.0.0.1, targetRef: {kind: Pod, name: %s-%s}}]
                  ports: [{name: grpc, port: %d}]
                """
                    .formatted(name, version, b.port())));
    versions.forEach(
        (version, b) ->
            y.append(
                """
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: %s-%s, namespace: shop, labels: {app: %s, version: %s}}
                """
                    .formatted(name, version, name, version)));
    return y.toString();
  }

  private ManagedChannel channel(String target) {
    ManagedChannel c =
        XdsClients.channel(
            target,
            XdsClients.bootstrap(cp.xdsPort(), "client-1", "shop", Map.of("app", "client")));
    channels.add(c);
    return c;
  }

  private static String call(Channel channel, Map<String, String> headers, Duration deadline) {
    Channel ch = ClientInterceptors.intercept(channel, headers(headers));
    return SimpleServiceGrpc.newBlockingStub(ch)
        .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
        .withWaitForReady()
        .unaryRpc(SimpleRequest.getDefaultInstance())
        .getResponseMessage();
  }

  private static Status failure(Channel channel, Map<String, String> headers, Duration deadline) {
    StatusRuntimeException e =
        catchThrowableOfType(StatusRuntimeException.class, () -> call(channel, headers, deadline));
    assertThat(e).as("the call fails").isNotNull();
    return e.getStatus();
  }

  private static ClientInterceptor headers(Map<String, String> headers) {
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

  @Test
  void routesByHeadersAndNeverByQueryParameters() throws Exception {
    Map<String, Backend> versions = new LinkedHashMap<>();
    versions.put("v1", backend("v1", Duration.ZERO, 0));
    versions.put("v2", backend("v2", Duration.ZERO, 0));
    versions.put("v3", backend("v3", Duration.ZERO, 0));
    Files.writeString(
        dir.resolve("echo.yaml"),
        service("echo", 7070, versions)
            + """
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: echo, namespace: shop}
            spec:
              host: echo
              subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}, {name: v3, labels: {version: v3}}]
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: echo, namespace: shop}
            spec:
              hosts: [echo]
              http:
              - name: by-query
                match: [{queryParams: {variant: {exact: v3}}}]
                route: [{destination: {host: echo, subset: v3}}]
              - name: beta-users
                match:
                - headers:
                    x-user: {prefix: beta-}
                  withoutHeaders:
                    x-opt-out: {}
                route: [{destination: {host: echo, subset: v2}}]
              - name: rest
                route: [{destination: {host: echo, subset: v1}}]
            """);
    ManagedChannel ch = channel("echo.shop:7070");
    Duration d = Duration.ofSeconds(20);
    assertThat(call(ch, Map.of(), d)).isEqualTo("v1");
    assertThat(call(ch, Map.of("x-user", "beta-ann"), d)).isEqualTo("v2");
    assertThat(call(ch, Map.of("x-user", "beta-ann", "x-opt-out", "yes"), d)).isEqualTo("v1");
    assertThat(call(ch, Map.of("x-user", "alpha-bob"), d)).isEqualTo("v1");
    // gRPC paths carry no query: the query route never takes a call (grpc-java skips it).
    for (int i = 0; i < 20; i++) {
      assertThat(call(ch, Map.of(), d)).isNotEqualTo("v3");
    }
    assertThat(versions.get("v3").calls()).isZero();
  }

  @Test
  void injectsAbortsAndDelays() throws Exception {
    Files.writeString(
        dir.resolve("echo.yaml"),
        service("echo", 7070, Map.of("v1", backend("v1", Duration.ZERO, 0)))
            + """
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: echo, namespace: shop}
            spec:
              hosts: [echo]
              http:
              - match: [{headers: {x-fault: {exact: abort}}}]
                fault: {abort: {grpcStatus: RESOURCE_EXHAUSTED, percentage: {value: 100}}}
                route: [{destination: {host: echo}}]
              - match: [{headers: {x-fault: {exact: abort-http}}}]
                fault: {abort: {httpStatus: 503}}
                route: [{destination: {host: echo}}]
              - match: [{headers: {x-fault: {exact: delay}}}]
                fault: {delay: {fixedDelay: 3s, percentage: {value: 100}}}
                route: [{destination: {host: echo}}]
              - match: [{headers: {x-fault: {exact: never}}}]
                fault: {abort: {grpcStatus: INTERNAL, percentage: {value: 0}}}
                route: [{destination: {host: echo}}]
              - route: [{destination: {host: echo}}]
            """);
    ManagedChannel ch = channel("echo.shop:7070");
    Duration d = Duration.ofSeconds(20);
    assertThat(call(ch, Map.of(), d)).isEqualTo("v1");
    assertThat(failure(ch, Map.of("x-fault", "abort"), d).getCode())
        .isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    // gRPC maps HTTP 503 to UNAVAILABLE.
    assertThat(failure(ch, Map.of("x-fault", "abort-http"), d).getCode())
        .isEqualTo(Status.Code.UNAVAILABLE);
    // A 3s delay outlasts a 500ms deadline; with time to spare, the call gets through.
    assertThat(failure(ch, Map.of("x-fault", "delay"), Duration.ofMillis(500)).getCode())
        .isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(call(ch, Map.of("x-fault", "delay"), d)).isEqualTo("v1");
    for (int i = 0; i < 10; i++) {
      assertThat(call(ch, Map.of("x-fault", "never"), d)).isEqualTo("v1");
    }
  }

  @Test
  void appliesTimeoutsAndRetries() throws Exception {
    Backend slow = backend("slow", Duration.ofSeconds(3), 0);
    Backend flaky = backend("flaky", Duration.ZERO, 2);
    Backend fragile = backend("fragile", Duration.ZERO, 1);
    Files.writeString(
        dir.resolve("services.yaml"),
        service("slow", 7071, Map.of("v1", slow))
            + "---\n"
            + service("flaky", 7072, Map.of("v1", flaky))
            + "---\n"
            + service("fragile", 7073, Map.of("v1", fragile))
            + """
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: slow, namespace: shop}
            spec:
              hosts: [slow]
              http: [{route: [{destination: {host: slow}}], timeout: 500ms}]
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: flaky, namespace: shop}
            spec:
              hosts: [flaky]
              http: [{route: [{destination: {host: flaky}}], retries: {attempts: 3, retryOn: unavailable}}]
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: fragile, namespace: shop}
            spec:
              hosts: [fragile]
              http: [{route: [{destination: {host: fragile}}], retries: {attempts: 0}}]
            """);
    // The route's 500ms timeout ends the call long before the caller's own 20s deadline.
    assertThat(failure(channel("slow.shop:7071"), Map.of(), Duration.ofSeconds(20)).getCode())
        .isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    // Two UNAVAILABLE answers, then success: three attempts, one call.
    assertThat(call(channel("flaky.shop:7072"), Map.of(), Duration.ofSeconds(20)))
        .isEqualTo("flaky");
    assertThat(flaky.calls()).isEqualTo(3);
    // Without retries, the first failure is the caller's.
    assertThat(failure(channel("fragile.shop:7073"), Map.of(), Duration.ofSeconds(20)).getCode())
        .isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(fragile.calls()).isEqualTo(1);
  }

  @Test
  void servesAServiceEntryWithStaticEndpoints() throws Exception {
    Backend a = backend("payments-a", Duration.ZERO, 0);
    Backend b = backend("payments-b", Duration.ZERO, 0);
    Files.writeString(
        dir.resolve("payments.yaml"),
        """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: payments, namespace: shop}
        spec:
          hosts: [payments.example.internal]
          location: MESH_INTERNAL
          resolution: STATIC
          ports: [{number: 8443, name: grpc, protocol: GRPC}]
          endpoints:
          - {address: 127.0.0.1, ports: {grpc: %d}}
          - {address: 127.0.0.1, ports: {grpc: %d}}
        """
            .formatted(a.port(), b.port()));
    ManagedChannel ch = channel("payments.example.internal:8443");
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < 40; i++) {
      seen.merge(call(ch, Map.of(), Duration.ofSeconds(20)), 1, Integer::sum);
    }
    // Round robin over both endpoints.
    assertThat(seen).containsOnlyKeys("payments-a", "payments-b");
  }
}
