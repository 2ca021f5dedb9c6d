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
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Authorization enforced by a real data plane: grpc-java's xDS server takes its inbound listener
 * from Mizzen and applies the RBAC filters in it to real RPCs. Policies are edited in the watched
 * directory while everything runs.
 */
class GrpcAuthorizationIT {
  private static final Status.Code OK = Status.Code.OK;
  private static final Status.Code DENIED = Status.Code.PERMISSION_DENIED;

  @TempDir Path dir;

  private int echoPort;
  private int otherPort;
  private ControlPlane cp;
  private XdsBackend echo;
  private XdsBackend other;
  private ManagedChannel toEcho;
  private ManagedChannel toOther;
  private ManagedChannel routed;

  @BeforeEach
  void start() throws Exception {
    echoPort = XdsBackend.freePort();
    otherPort = XdsBackend.freePort();
    Files.writeString(dir.resolve("mesh.yaml"), mesh());
    cp = ControlPlane.start(ControlPlane.Options.forTest(dir, "istio-system"));
    echo = XdsBackend.start(cp.xdsPort(), echoPort, "echo-1", "shop", Map.of("app", "echo"));
    other = XdsBackend.start(cp.xdsPort(), otherPort, "other-1", "shop", Map.of("app", "other"));
    await("both servers hold their listener from Mizzen", () -> echo.serving() && other.serving());
    toEcho =
        Grpc.newChannelBuilder("127.0.0.1:" + echoPort, InsecureChannelCredentials.create())
            .build();
    toOther =
        Grpc.newChannelBuilder("127.0.0.1:" + otherPort, InsecureChannelCredentials.create())
            .build();
  }

  @AfterEach
  void stop() throws Exception {
    for (ManagedChannel c : new ManagedChannel[] {toEcho, toOther, routed}) {
      if (c != null) {
        c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
    if (echo != null) {
      echo.close();
    }
    if (other != null) {
      other.close();
    }
    if (cp != null) {
      cp.close();
    }
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
          ports: [{name: grpc, port: 7070, targetPort: %d}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: other, namespace: shop}
        spec:
          clusterIP: 10.96.0.11
          selector: {app: other}
          ports: [{name: grpc, port: 7070, targetPort: %d}]
        ---
        apiVersion: v1
        kind: Endpoints
        metadata: {name: other, namespace: shop}
        subsets:
        - addresses: [{ip: 127.0.0.1, targetRef: {kind: Pod, name: other-1}}]
          ports: [{name: grpc, port: %d}]
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: other-1, namespace: shop, labels: {app: other}}
        """
            .formatted(echoPort, otherPort, otherPort);
  }

  private static final String ALICE_ONLY =
      """
      apiVersion: security.istio.io/v1
      kind: AuthorizationPolicy
      metadata: {name: users, namespace: shop}
      spec:
        selector: {matchLabels: {app: echo}}
        rules:
        - when:
          - key: request.regex.headers[x-user]
            values: ["alice-[0-9]+"]
      """;

  private void write(String file, String yaml) throws Exception {
    Files.writeString(dir.resolve(file), yaml);
  }

  @Test
  void aRegexHeaderPolicyAllowsAliceAndDeniesBobAndADenyPolicyWins() throws Exception {
    assertThat(code(toEcho, "alice-7")).as("no policy yet").isEqualTo(OK);

    write("users.yaml", ALICE_ONLY);
    await("bob is denied", () -> code(toEcho, "bob") == DENIED);
    assertThat(code(toEcho, "alice-7")).isEqualTo(OK);
    assertThat(code(toEcho, "alice-")).isEqualTo(DENIED);
    assertThat(code(toEcho, null)).isEqualTo(DENIED);

    write(
        "deny.yaml",
        """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: not-alice-13, namespace: shop}
        spec:
          action: DENY
          selector: {matchLabels: {app: echo}}
          rules:
          - when:
            - key: request.headers[x-user]
              values: [alice-13]
        """);
    await("the DENY policy wins over the ALLOW one", () -> code(toEcho, "alice-13") == DENIED);
    assertThat(code(toEcho, "alice-7")).isEqualTo(OK);
    assertThat(code(toOther, "bob")).as("the other workload has no policy").isEqualTo(OK);

    // Editing the policy changes the outcome without a restart.
    write("users.yaml", ALICE_ONLY.replace("alice-[0-9]+", "bob"));
    await("bob is now allowed", () -> code(toEcho, "bob") == OK);
    assertThat(code(toEcho, "alice-7")).isEqualTo(DENIED);
  }

  @Test
  void serviceMeshRbacConfigOnDeniesWhereNoPolicyAllows() throws Exception {
    write(
        "rbac.yaml",
        """
        apiVersion: rbac.maistra.io/v1
        kind: ServiceMeshRbacConfig
        metadata: {name: default, namespace: istio-system}
        spec: {mode: "ON"}
        """);
    await("echo denies without a policy", () -> code(toEcho, "alice-7") == DENIED);
    assertThat(code(toOther, "alice-7")).isEqualTo(DENIED);

    write("users.yaml", ALICE_ONLY);
    await("alice is allowed by the policy", () -> code(toEcho, "alice-7") == OK);
    // A connection the server accepted before the update may still answer under the old policy
    // until the server drains it.
    await("bob is denied", () -> code(toEcho, "bob") == DENIED);
    assertThat(code(toOther, "alice-7")).as("no ALLOW policy for other").isEqualTo(DENIED);

    write(
        "rbac.yaml",
        """
        apiVersion: rbac.maistra.io/v1
        kind: ServiceMeshRbacConfig
        metadata: {name: default, namespace: istio-system}
        spec:
          mode: ON_WITH_EXCLUSION
          exclusion: {services: [other.shop.svc.cluster.local]}
        """);
    await("other is excluded", () -> code(toOther, "bob") == OK);
    assertThat(code(toEcho, "bob")).isEqualTo(DENIED);
  }

  @Test
  void anInvalidRegexFailsClosedForItsWorkloadOnlyAndIsReported() throws Exception {
    routed =
        XdsClients.channel(
            "other.shop:7070",
            XdsClients.bootstrap(cp.xdsPort(), "client-1", "shop", Map.of("app", "client")));
    assertThat(call(routed, null)).isEqualTo("other-1");

    write("users.yaml", ALICE_ONLY.replace("alice-[0-9]+", "(alice"));
    await("echo denies everyone", () -> code(toEcho, "alice-7") == DENIED);
    assertThat(code(toEcho, "(alice")).isEqualTo(DENIED);
    JsonNode error = configError("users");
    assertThat(error.path("field").asText()).isEqualTo("spec.rules[0].when[0].values[0]");
    assertThat(error.path("message").asText())
        .isEqualTo(
            dir.resolve("users.yaml")
                + ":1: AuthorizationPolicy shop/users: spec.rules[0].when[0].values[0]:"
                + " request.regex.headers[x-user]: invalid RE2 regular expression: error parsing regexp:"
                + " missing closing ): `(alice`");
    // Every other workload, policy and route is still served.
    assertThat(code(toOther, "bob")).isEqualTo(OK);
    assertThat(call(routed, null)).isEqualTo("other-1");

    // 282 RE2 instructions: over Envoy's built-in default of 100, well under the 32768 Istio's
    // proxies allow, and no limit at all for a gRPC server. Enforced, not failed closed.
    write("users.yaml", ALICE_ONLY.replace("alice-[0-9]+", "alice-[0-9]+(-[a-z]+[0-9]+){0,30}"));
    await("the long pattern is enforced", () -> code(toEcho, "alice-7-a1-b2") == OK);
    assertThat(configError("users").path("reason").asText()).isEmpty();
    assertThat(code(toEcho, "bob")).isEqualTo(DENIED);

    write(
        "users.yaml",
        ALICE_ONLY.replace("alice-[0-9]+", "[^a]{1000}[^b]{1000}[^c]{1000}[^d]{1000}[^e]{1000}"));
    await(
        "the oversized pattern is reported",
        () -> configError("users").path("reason").asText().contains("program size"));
    assertThat(configError("users").path("reason").asText())
        .isEqualTo(
            "request.regex.headers[x-user]: RE2 program size 40004 exceeds 32768, the limit of"
                + " Istio's Envoy proxies (re2.max_program_size.error_level); simplify the regular"
                + " expression");
    assertThat(code(toEcho, "alice-7")).isEqualTo(DENIED);
    assertThat(code(toOther, "bob")).isEqualTo(OK);

    write("users.yaml", ALICE_ONLY);
    await("the fixed policy allows alice", () -> code(toEcho, "alice-7") == OK);
  }

  @Test
  void aDryRunDenyIsOnlyLoggedAndAnUnreadableDenyDeniesEverything() throws Exception {
    write(
        "deny.yaml",
        """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata:
          name: no-bob
          namespace: shop
          annotations: {"istio.io/dry-run": "true"}
        spec:
          action: DENY
          selector: {matchLabels: {app: echo}}
          rules:
          - when: [{key: "request.headers[x-user]", values: [bob]}]
        """);
    await(
        "the dry-run policy is served",
        () ->
            get("/debug/authorizationz?proxyID=echo-1.shop")
                    .path("workloads")
                    .get(0)
                    .path("policies")
                    .size()
                == 1);
    JsonNode policy =
        get("/debug/authorizationz?proxyID=echo-1.shop")
            .path("workloads")
            .get(0)
            .path("policies")
            .get(0);
    assertThat(policy.path("dry_run").asBoolean()).isTrue();
    assertThat(code(toEcho, "bob")).as("grpc-java ignores shadow rules").isEqualTo(OK);
    assertThat(explain("bob").path("decision").asText()).isEqualTo("ALLOW");
    assertThat(explain("bob").path("dry_run").get(0).asText())
        .isEqualTo("DENY ns[shop]-policy[no-bob]-rule[0]");

    // A DENY policy that cannot be read denies everything its selector selects.
    write(
        "deny.yaml",
        "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: no-bob, namespace: shop}\n"
            + "spec:\n  action: DENY\n  selector: {matchLabels: {app: echo}}\n  rules: [{when: [null]}]\n");
    await("echo denies everyone", () -> code(toEcho, "alice-7") == DENIED);
    assertThat(code(toOther, "bob")).isEqualTo(OK);
    assertThat(configError("no-bob").path("message").asText())
        .isEqualTo(
            dir.resolve("deny.yaml")
                + ":1: AuthorizationPolicy shop/no-bob: spec.rules[0].when[0]: unreadable"
                + " rule: empty list item");
  }

  @Test
  void explainsWhichRuleDecides() throws Exception {
    write("users.yaml", ALICE_ONLY);
    write(
        "deny.yaml",
        """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: not-alice-13, namespace: shop}
        spec:
          action: DENY
          selector: {matchLabels: {app: echo}}
          rules:
          - when:
            - key: request.headers[x-user]
              values: [alice-13]
        """);
    await("the policies are in force", () -> code(toEcho, "alice-13") == DENIED);

    JsonNode allowed = explain("alice-7");
    assertThat(allowed.path("decision").asText()).isEqualTo("ALLOW");
    assertThat(allowed.path("policy").asText()).isEqualTo("ns[shop]-policy[users]-rule[0]");
    assertThat(allowed.path("message").asText())
        .isEqualTo("allowed by ALLOW policy shop/users, rule 0 (ns[shop]-policy[users]-rule[0])");

    JsonNode denied = explain("alice-13");
    assertThat(denied.path("decision").asText()).isEqualTo("DENY");
    assertThat(denied.path("filter").asText()).isEqualTo("DENY");
    assertThat(denied.path("policy").asText()).isEqualTo("ns[shop]-policy[not-alice-13]-rule[0]");

    JsonNode nothing = explain("bob");
    assertThat(nothing.path("decision").asText()).isEqualTo("DENY");
    assertThat(nothing.path("policy").asText()).isEmpty();
    assertThat(nothing.path("message").asText())
        .isEqualTo(
            "denied: no rule matched; ALLOW policies apply to this workload and none of their rules allows"
                + " the request");
    assertThat(code(toEcho, "bob")).as("and the server agrees").isEqualTo(DENIED);

    assertThat(get("/debug/authorizationz?method=GET").path("error").asText())
        .isEqualTo("explaining a request needs the proxyID parameter");
    assertThat(get("/debug/authorizationz?proxyID=nobody.shop").path("error").asText())
        .isEqualTo("proxy nobody.shop is not connected");
    JsonNode echoWorkload =
        get("/debug/authorizationz?proxyID=echo-1.shop").path("workloads").get(0);
    assertThat(echoWorkload.path("services").get(0).asText())
        .isEqualTo("echo.shop.svc.cluster.local");
    assertThat(echoWorkload.path("policies").findValuesAsText("name"))
        .containsExactlyInAnyOrder("users", "not-alice-13");
  }

  private JsonNode explain(String user) {
    return get("/debug/authorizationz?proxyID=echo-1.shop&method=POST&path="
            + URLEncoder.encode("/grpc.testing.SimpleService/UnaryRpc", StandardCharsets.UTF_8)
            + "&header="
            + URLEncoder.encode("x-user:" + user, StandardCharsets.UTF_8))
        .path("explanation");
  }

  private JsonNode configError(String name) {
    for (JsonNode e : get("/debug/configz")) {
      if (e.path("metadata").path("name").asText().equals(name) && e.has("errors")) {
        return e.path("errors").get(0);
      }
    }
    return new ObjectMapper().createObjectNode();
  }

  private JsonNode get(String path) {
    try {
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cp.debugPort() + path))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      return new ObjectMapper().readTree(r.body());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static Status.Code code(Channel channel, String user) {
    try {
      call(channel, user);
      return OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }

  private static String call(Channel channel, String user) {
    Channel ch =
        user == null ? channel : ClientInterceptors.intercept(channel, header("x-user", user));
    return SimpleServiceGrpc.newBlockingStub(ch)
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .withWaitForReady()
        .unaryRpc(SimpleRequest.getDefaultInstance())
        .getResponseMessage();
  }

  private static ClientInterceptor header(String name, String value) {
    return new ClientInterceptor() {
      @Override
      public <Q, R> ClientCall<Q, R> interceptCall(
          MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        return new ForwardingClientCall.SimpleForwardingClientCall<>(
            next.newCall(method, options)) {
          @Override
          public void start(Listener<R> listener, Metadata md) {
            md.put(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER), value);
            super.start(listener, md);
          }
        };
      }
    };
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(50);
    }
  }
}
