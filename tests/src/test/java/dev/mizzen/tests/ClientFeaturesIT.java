package dev.mizzen.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mizzen.pilot.app.ControlPlane;
import dev.mizzen.testing.mesh.MeshYaml;
import io.grpc.Status;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Which VirtualService and DestinationRule features each proxyless gRPC client applies, ignores or
 * refuses, as Mizzen serves them: every test runs through grpc-java's xDS client and through Node's
 * (grpc-js-xds), and asserts what each one does. The README's table of clients names these tests.
 * One Mizzen and one set of backends serve every test; each feature has its own host.
 */
class ClientFeaturesIT {
  static final String JAVA = "grpc-java";
  static final String NODE = "grpc-js-xds";

  @TempDir static Path dir;

  private static final List<AutoCloseable> started = new ArrayList<>();
  private static final MeshYaml SHOP = MeshYaml.in("shop");
  private static ControlPlane cp;
  private static Backend a;
  private static Backend b;
  private static Backend c;
  private static Backend slow;
  private static Backend broken;
  private static JavaCaller java;
  private static NodeCaller node;

  @BeforeAll
  static void start() throws Exception {
    a = backend("a", Duration.ZERO, 0);
    b = backend("b", Duration.ZERO, 0);
    c = backend("c", Duration.ZERO, 0);
    slow = backend("slow", Duration.ofSeconds(1), 0);
    broken = backend("broken", Duration.ZERO, Integer.MAX_VALUE);
    Files.writeString(dir.resolve("mesh.yaml"), MeshYaml.members("shop") + mesh());
    cp = ControlPlane.start(ControlPlane.Options.forTest(dir, "istio-system"));
    java = new JavaCaller(cp.xdsPort(), "java-client", "shop", Map.of("app", "client"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (java != null) {
      java.close();
    }
    if (node != null) {
      node.close();
    }
    if (cp != null) {
      cp.close();
    }
    for (AutoCloseable s : started) {
      s.close();
    }
  }

  private static Backend backend(String name, Duration delay, int failFirst) throws Exception {
    Backend s = new Backend(name, delay, failFirst);
    started.add(s);
    return s;
  }

  /** The client by name; Node's is started on first use, and skips the test without Node.js. */
  private static XdsCaller client(String name) throws Exception {
    if (name.equals(JAVA)) {
      return java;
    }
    if (node == null) {
      node = new NodeCaller(cp.xdsPort(), "node-client", "shop", Map.of("app", "client"));
    }
    return node;
  }

  private static String mesh() {
    Map<String, Backend> abc = new LinkedHashMap<>();
    abc.put("a", a);
    abc.put("b", b);
    abc.put("c", c);
    Map<String, Backend> ab = new LinkedHashMap<>();
    ab.put("a", a);
    ab.put("b", b);
    String subsetsAbc =
        "subsets: [{name: a, labels: {version: a}}, {name: b, labels: {version: b}}, {name: c, labels: {version: c}}]";
    return SHOP.service("match", Backend.ports(abc))
        + SHOP.destinationRule("match", subsetsAbc)
        + SHOP.virtualService(
            "match",
            """
            - match: [{headers: {x-exact: {exact: "yes"}}}]
              route: [{destination: {host: match, subset: b}}]
            - match: [{headers: {x-prefix: {prefix: be}}}]
              route: [{destination: {host: match, subset: b}}]
            - match: [{headers: {x-regex: {regex: "r[0-9]+"}}}]
              route: [{destination: {host: match, subset: b}}]
            - match: [{headers: {x-present: {}}}]
              route: [{destination: {host: match, subset: b}}]
            - match: [{headers: {x-without: {exact: "yes"}}, withoutHeaders: {x-opt-out: {}}}]
              route: [{destination: {host: match, subset: b}}]
            - match: [{headers: {x-path: {exact: exact}}, uri: {exact: /grpc.testing.SimpleService/UnaryRpc}}]
              route: [{destination: {host: match, subset: c}}]
            - match: [{headers: {x-path: {exact: prefix}}, uri: {prefix: /grpc.testing.SimpleService/}}]
              route: [{destination: {host: match, subset: c}}]
            - match: [{headers: {x-path: {exact: regex}}, uri: {regex: ".*/Unary[A-Za-z]+"}}]
              route: [{destination: {host: match, subset: c}}]
            - match: [{headers: {x-path: {exact: other}}, uri: {prefix: /grpc.testing.OtherService/}}]
              route: [{destination: {host: match, subset: c}}]
            - match: [{headers: {x-case: {exact: sensitive}}, uri: {exact: /GRPC.TESTING.SIMPLESERVICE/UNARYRPC}}]
              route: [{destination: {host: match, subset: c}}]
            - match: [{headers: {x-case: {exact: ignored}}, uri: {exact: /GRPC.TESTING.SIMPLESERVICE/UNARYRPC}, ignoreUriCase: true}]
              route: [{destination: {host: match, subset: c}}]
            - match: [{headers: {x-query: {exact: "yes"}}, queryParams: {variant: {exact: c}}}]
              route: [{destination: {host: match, subset: c}}]
            - route: [{destination: {host: match, subset: a}}]
            """)
        + SHOP.service("split", Backend.ports(ab))
        + SHOP.destinationRule(
            "split", "subsets: [{name: a, labels: {version: a}}, {name: b, labels: {version: b}}]")
        + SHOP.virtualService(
            "split",
            """
            - route:
              - {destination: {host: split, subset: a}, weight: 80}
              - {destination: {host: split, subset: b}, weight: 20}
            """)
        + SHOP.service("faults", Backend.ports(Map.of("a", a)))
        + SHOP.virtualService(
            "faults",
            """
            - match: [{headers: {x-fault: {exact: abort}}}]
              fault: {abort: {grpcStatus: RESOURCE_EXHAUSTED, percentage: {value: 100}}}
              route: [{destination: {host: faults}}]
            - match: [{headers: {x-fault: {exact: abort-http}}}]
              fault: {abort: {httpStatus: 503}}
              route: [{destination: {host: faults}}]
            - match: [{headers: {x-fault: {exact: delay}}}]
              fault: {delay: {fixedDelay: 1s, percentage: {value: 100}}}
              route: [{destination: {host: faults}}]
            - match: [{headers: {x-fault: {exact: never}}}]
              fault: {abort: {grpcStatus: INTERNAL, percentage: {value: 0}}}
              route: [{destination: {host: faults}}]
            - route: [{destination: {host: faults}}]
            """)
        + SHOP.service("timeout", Backend.ports(Map.of("slow", slow)))
        + SHOP.virtualService(
            "timeout", "- {route: [{destination: {host: timeout}}], timeout: 300ms}")
        + SHOP.service("per-try", Backend.ports(Map.of("slow", slow)))
        + SHOP.virtualService(
            "per-try",
            "- {route: [{destination: {host: per-try}}], retries: {attempts: 2, perTryTimeout: 100ms, retryOn: unavailable}}")
        + SHOP.service("retry", Backend.ports(Map.of("broken", broken)))
        + SHOP.virtualService(
            "retry",
            "- {route: [{destination: {host: retry}}], retries: {attempts: 3, retryOn: unavailable}}")
        + SHOP.service("no-retry", Backend.ports(Map.of("broken", broken)))
        + SHOP.virtualService(
            "no-retry", "- {route: [{destination: {host: no-retry}}], retries: {attempts: 0}}")
        + SHOP.service("default-retry", Backend.ports(Map.of("broken", broken)))
        + SHOP.service("rewrite", Backend.ports(Map.of("a", a)))
        + SHOP.virtualService(
            "rewrite",
            "- {route: [{destination: {host: rewrite}}], rewrite: {uri: /grpc.testing.SimpleService/Missing}}")
        + SHOP.service("round-robin", Backend.ports(ab))
        + SHOP.destinationRule(
            "round-robin", "trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN}}")
        + SHOP.service("least-request", Backend.ports(ab))
        + SHOP.destinationRule(
            "least-request", "trafficPolicy: {loadBalancer: {simple: LEAST_REQUEST}}")
        + SHOP.service("random", Backend.ports(ab))
        + SHOP.destinationRule("random", "trafficPolicy: {loadBalancer: {simple: RANDOM}}")
        + SHOP.service("hash", Backend.ports(ab))
        + SHOP.destinationRule(
            "hash", "trafficPolicy: {loadBalancer: {consistentHash: {httpHeaderName: x-user}}}")
        + SHOP.service("outlier", Backend.ports(Map.of("a", a, "broken", broken)))
        + SHOP.destinationRule(
            "outlier",
            "trafficPolicy: {outlierDetection: {consecutive5xxErrors: 1, interval: 1s, baseEjectionTime: 1m}}")
        + SHOP.virtualService(
            "outlier", "- {route: [{destination: {host: outlier}}], retries: {attempts: 0}}")
        + SHOP.service("pool", Backend.ports(Map.of("slow", slow)))
        + SHOP.destinationRule(
            "pool", "trafficPolicy: {connectionPool: {http: {http2MaxRequests: 1}}}")
        + SHOP.virtualService(
            "pool", "- {route: [{destination: {host: pool}}], retries: {attempts: 0}}");
  }

  private static Map<String, Integer> tally(List<Outcome> outcomes) {
    Map<String, Integer> counts = new HashMap<>();
    outcomes.forEach(o -> counts.merge(o.toString(), 1, Integer::sum));
    return counts;
  }

  private static String backend(XdsCaller client, String host, Map<String, String> headers) {
    Outcome o = client.call(host + ".shop:7070", headers);
    assertThat(o.ok()).as("%s: call to %s with %s: %s", client.name(), host, headers, o).isTrue();
    return o.backend();
  }

  @ParameterizedTest
  @ValueSource(strings = {JAVA, NODE})
  void headerMatchesAndSubsets(String name) throws Exception {
    XdsCaller client = client(name);
    assertThat(backend(client, "match", Map.of())).isEqualTo("a");
    assertThat(backend(client, "match", Map.of("x-exact", "yes"))).isEqualTo("b");
    assertThat(backend(client, "match", Map.of("x-exact", "yes-no"))).isEqualTo("a");
    assertThat(backend(client, "match", Map.of("x-prefix", "beta"))).isEqualTo("b");
    assertThat(backend(client, "match", Map.of("x-prefix", "alpha"))).isEqualTo("a");
    assertThat(backend(client, "match", Map.of("x-regex", "r42"))).isEqualTo("b");
    assertThat(backend(client, "match", Map.of("x-regex", "r42x"))).isEqualTo("a");
    assertThat(backend(client, "match", Map.of("x-present", ""))).isEqualTo("b");
    assertThat(backend(client, "match", Map.of("x-without", "yes"))).isEqualTo("b");
    assertThat(backend(client, "match", Map.of("x-without", "yes", "x-opt-out", "1")))
        .isEqualTo("a");
  }

  @ParameterizedTest
  @ValueSource(strings = {JAVA, NODE})
  void pathMatches(String name) throws Exception {
    XdsCaller client = client(name);
    assertThat(backend(client, "match", Map.of("x-path", "exact"))).isEqualTo("c");
    assertThat(backend(client, "match", Map.of("x-path", "prefix"))).isEqualTo("c");
    assertThat(backend(client, "match", Map.of("x-path", "regex"))).isEqualTo("c");
    assertThat(backend(client, "match", Map.of("x-path", "other"))).isEqualTo("a");
    // Paths compare with case, as Envoy's do, unless ignoreUriCase says otherwise.
    assertThat(backend(client, "match", Map.of("x-case", "sensitive"))).isEqualTo("a");
    assertThat(backend(client, "match", Map.of("x-case", "ignored"))).isEqualTo("c");
  }

  @ParameterizedTest
  @ValueSource(strings = {JAVA, NODE})
  void queryParameterRoutesNeverMatch(String name) throws Exception {
    XdsCaller client = client(name);
    // A gRPC call has no query: the route must not take it, whatever else it matches.
    assertThat(backend(client, "match", Map.of("x-query", "yes"))).isEqualTo("a");
  }

  @ParameterizedTest
  @ValueSource(strings = {JAVA, NODE})
  void weightedSplit(String name) throws Exception {
    Map<String, Integer> seen =
        tally(client(name).call("split.shop:7070", Map.of(), Duration.ofSeconds(10), 200, false));
    assertThat(seen).containsOnlyKeys("a", "b");
    // 80/20 over 200 calls: 160 on average, with a standard deviation of 5.7.
    assertThat(seen.get("a")).isBetween(130, 190);
  }

  @ParameterizedTest
  @ValueSource(strings = {JAVA, NODE})
  void faultAbortsAndDelays(String name) throws Exception {
    XdsCaller client = client(name);
    assertThat(backend(client, "faults", Map.of())).isEqualTo("a");
    assertThat(client.call("faults.shop:7070", Map.of("x-fault", "abort")).code())
        .isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    // gRPC maps HTTP 503 to UNAVAILABLE.
    assertThat(client.call("faults.shop:7070", Map.of("x-fault", "abort-http")).code())
        .isEqualTo(Status.Code.UNAVAILABLE);
    // A 1s delay outlasts a 300ms deadline; with time to spare, the call gets through.
    assertThat(
            client
                .call("faults.shop:7070", Map.of("x-fault", "delay"), Duration.ofMillis(300))
                .code())
        .isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(backend(client, "faults", Map.of("x-fault", "delay"))).isEqualTo("a");
    assertThat(
            tally(
                client.call(
                    "faults.shop:7070",
                    Map.of("x-fault", "never"),
                    Duration.ofSeconds(20),
                    10,
                    false)))
        .containsOnlyKeys("a");
  }

  @ParameterizedTest
  @ValueSource(strings = {JAVA, NODE})
  void routeTimeout(String name) throws Exception {
    // The route's 300ms timeout ends the call long before the caller's own 20s deadline.
    Outcome o = client(name).call("timeout.shop:7070", Map.of(), Duration.ofSeconds(20));
    assertThat(o.code()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
  }

  @ParameterizedTest
  @ValueSource(strings = {JAVA, NODE})
  void retries(String name) throws Exception {
    XdsCaller client = client(name);
    // Warm each channel first so that every attempt below reaches the backend.
    client.call("retry.shop:7070", Map.of());
    client.call("no-retry.shop:7070", Map.of());
    client.call("default-retry.shop:7070", Map.of());
    assertThat(attempts(client, "retry")).as("attempts: 3").isEqualTo(4);
    assertThat(attempts(client, "no-retry")).as("attempts: 0").isEqualTo(1);
    // Without a VirtualService, Istio's default: two retries, on unavailable among others.
    assertThat(attempts(client, "default-retry")).as("Istio's default").isEqualTo(3);
  }

  private static int attempts(XdsCaller client, String host) {
    int before = broken.calls();
    Outcome o = client.call(host + ".shop:7070", Map.of());
    assertThat(o.code()).isEqualTo(Status.Code.UNAVAILABLE);
    return broken.calls() - before;
  }

  @ParameterizedTest
  @ValueSource(strings = {JAVA, NODE})
  void perTryTimeoutIsNotApplied(String name) throws Exception {
    // A 100ms per-try timeout would fail every try of a 1s backend; it is not sent to gRPC clients.
    int before = slow.calls();
    assertThat(backend(client(name), "per-try", Map.of())).isEqualTo("slow");
    assertThat(slow.calls() - before).isEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {JAVA, NODE})
  void rewriteIsNotApplied(String name) throws Exception {
    // Rewritten, the call would reach a method the backend lacks; it is not sent to gRPC clients.
    assertThat(backend(client(name), "rewrite", Map.of())).isEqualTo("a");
  }

  @ParameterizedTest
  @ValueSource(strings = {JAVA, NODE})
  void loadBalancers(String name) throws Exception {
    XdsCaller client = client(name);
    // RANDOM and LEAST_REQUEST are sent as ROUND_ROBIN (grpc-js-xds refuses a LEAST_REQUEST
    // cluster).
    for (String host : List.of("round-robin", "least-request", "random")) {
      Map<String, Integer> seen =
          tally(client.call(host + ".shop:7070", Map.of(), Duration.ofSeconds(10), 20, false));
      assertThat(seen).as("%s: %s", name, host).containsOnlyKeys("a", "b");
    }
    // Every cluster was accepted.
    assertThat(lastError(cp, client.pod(), "cluster")).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {JAVA, NODE})
  void consistentHashOnAHeader(String name) throws Exception {
    XdsCaller client = client(name);
    Map<String, String> firstPick = new HashMap<>();
    for (int user = 0; user < 16; user++) {
      Map<String, Integer> seen =
          tally(
              client.call(
                  "hash.shop:7070",
                  Map.of("x-user", "u" + user),
                  Duration.ofSeconds(20),
                  5,
                  false));
      assertThat(seen).as("user u%d sticks to one backend", user).hasSize(1);
      firstPick.put("u" + user, seen.keySet().iterator().next());
    }
    assertThat(firstPick.values()).as("users spread over both backends").contains("a", "b");
  }

  @ParameterizedTest
  @ValueSource(strings = {JAVA, NODE})
  void outlierDetectionIsNotApplied(String name) throws Exception {
    // Envoy would eject the failing endpoint after its first error; gRPC clients keep using it.
    Map<String, Integer> seen =
        tally(client(name).call("outlier.shop:7070", Map.of(), Duration.ofSeconds(20), 20, false));
    assertThat(seen).containsKey("a");
    assertThat(seen.keySet()).anyMatch(k -> k.startsWith("UNAVAILABLE"));
    assertThat(seen.get("a")).isBetween(5, 15);
  }

  @ParameterizedTest
  @ValueSource(strings = {JAVA, NODE})
  void connectionPoolLimitIsNotEnforced(String name) throws Exception {
    XdsCaller client = client(name);
    assertThat(backend(client, "pool", Map.of())).isEqualTo("slow");
    // http2MaxRequests: 1 is sent as the cluster's max_requests, yet three calls at once all go
    // through.
    Map<String, Integer> seen =
        tally(client.call("pool.shop:7070", Map.of(), Duration.ofSeconds(10), 3, true));
    assertThat(seen).containsOnlyKeys("slow");
  }

  /**
   * The last refusal the client named {@code pod} sent for {@code type} ("cluster", "route", ...),
   * or "".
   */
  static String lastError(ControlPlane cp, String pod, String type) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://127.0.0.1:"
                                + cp.debugPort()
                                + "/debug/syncz?proxyID="
                                + pod
                                + ".shop"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    JsonNode all = new ObjectMapper().readTree(r.body());
    return all.path(0).path("resources").path(type).path("lastError").asText("");
  }
}
