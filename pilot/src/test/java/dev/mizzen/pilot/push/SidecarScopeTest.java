package dev.mizzen.pilot.push;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mizzen.testing.mesh.MeshYaml;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a Sidecar resource lets a proxy reach, and which Sidecar applies to which proxy. */
class SidecarScopeTest {
  private static final String MESH =
      MeshYaml.members("shop", "pay")
          + service("shop", "web")
          + service("shop", "cart")
          + service("pay", "api")
          + service("pay", "ledger")
          + service("istio-system", "zipkin");

  private static String service(String namespace, String name) {
    return """
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: %s, namespace: %s}
        spec: {ports: [{name: http, port: 8080}, {name: grpc, port: 9090}]}
        """
        .formatted(name, namespace);
  }

  private static String sidecar(String namespace, String name, String spec) {
    return """
        ---
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata: {name: %s, namespace: %s}
        spec:
        """
            .formatted(name, namespace)
        + spec.stripIndent().indent(2);
  }

  private static MeshService svc(PushContext push, String host) {
    return push.service(host).orElseThrow();
  }

  private static boolean reaches(PushContext push, String viewer, String host, int port) {
    return push.sidecarScope(viewer, Map.of())
        .allows(svc(push, host + ".svc.cluster.local"), port, viewer);
  }

  @Test
  void withoutASidecarEverythingIsInScope() {
    PushContext push = Pushes.of(MESH);
    SidecarScope scope = push.sidecarScope("shop", Map.of());
    assertThat(scope.sidecar()).isEmpty();
    assertThat(scope.registryOnly()).isEmpty();
    assertThat(reaches(push, "shop", "ledger.pay", 9090)).isTrue();
  }

  @Test
  void dotStarIsTheProxysOwnNamespace() {
    PushContext push = Pushes.of(MESH + sidecar("shop", "default", "egress: [{hosts: [\"./*\"]}]"));
    assertThat(reaches(push, "shop", "web.shop", 8080)).isTrue();
    assertThat(reaches(push, "shop", "cart.shop", 9090)).isTrue();
    assertThat(reaches(push, "shop", "api.pay", 8080)).isFalse();
    // Another namespace's proxies are not bound by shop's Sidecar.
    assertThat(reaches(push, "pay", "web.shop", 8080)).isTrue();
  }

  @Test
  void namespaceSlashHostIsThatServiceOnly() {
    PushContext push =
        Pushes.of(
            MESH
                + sidecar("shop", "default", "egress: [{hosts: [pay/api.pay.svc.cluster.local]}]"));
    assertThat(reaches(push, "shop", "api.pay", 8080)).isTrue();
    assertThat(reaches(push, "shop", "ledger.pay", 8080)).isFalse();
    assertThat(reaches(push, "shop", "web.shop", 8080)).isFalse();
  }

  @Test
  void aHostUnderTheWrongNamespaceIsNotReached() {
    PushContext push =
        Pushes.of(
            MESH
                + sidecar(
                    "shop", "default", "egress: [{hosts: [shop/api.pay.svc.cluster.local]}]"));
    assertThat(reaches(push, "shop", "api.pay", 8080)).isFalse();
  }

  @Test
  void starSlashStarIsEverything() {
    PushContext push = Pushes.of(MESH + sidecar("shop", "default", "egress: [{hosts: [\"*/*\"]}]"));
    assertThat(reaches(push, "shop", "ledger.pay", 8080)).isTrue();
    assertThat(reaches(push, "shop", "zipkin.istio-system", 9090)).isTrue();
  }

  @Test
  void aWildcardHostCoversTheNamesUnderIt() {
    PushContext push =
        Pushes.of(
            MESH
                + sidecar("shop", "default", "egress: [{hosts: [\"*/*.pay.svc.cluster.local\"]}]"));
    assertThat(reaches(push, "shop", "api.pay", 8080)).isTrue();
    assertThat(reaches(push, "shop", "ledger.pay", 8080)).isTrue();
    assertThat(reaches(push, "shop", "web.shop", 8080)).isFalse();
  }

  @Test
  void theListenerOfAPortDecidesForItAndTheOneWithoutPortForTheRest() {
    PushContext push =
        Pushes.of(
            MESH
                + sidecar(
                    "shop",
                    "default",
                    """
                    egress:
                    - port: {number: 9090, protocol: GRPC, name: grpc}
                      hosts: ["pay/*"]
                    - hosts: ["./*"]
                    """));
    assertThat(reaches(push, "shop", "api.pay", 9090)).isTrue();
    assertThat(reaches(push, "shop", "api.pay", 8080)).isFalse();
    assertThat(reaches(push, "shop", "web.shop", 8080)).isTrue();
    assertThat(reaches(push, "shop", "web.shop", 9090)).isFalse();
    assertThat(
            push.sidecarScope("shop", Map.of())
                .allowsAnyPort(svc(push, "api.pay.svc.cluster.local"), "shop"))
        .isTrue();
    assertThat(
            push.sidecarScope("shop", Map.of())
                .allowsAnyPort(svc(push, "zipkin.istio-system.svc.cluster.local"), "shop"))
        .isFalse();
  }

  @Test
  void withListenersOfPortsOnlyOtherPortsReachNothing() {
    PushContext push =
        Pushes.of(
            MESH
                + sidecar(
                    "shop",
                    "default",
                    """
                    egress:
                    - port: {number: 9090, protocol: GRPC, name: grpc}
                      hosts: ["*/*"]
                    """));
    assertThat(reaches(push, "shop", "api.pay", 9090)).isTrue();
    assertThat(reaches(push, "shop", "api.pay", 8080)).isFalse();
  }

  @Test
  void theOutboundTrafficPolicyIsTheSidecarsWhenItSaysOne() {
    assertThat(
            Pushes.of(
                    MESH
                        + sidecar(
                            "shop", "default", "outboundTrafficPolicy: {mode: REGISTRY_ONLY}"))
                .sidecarScope("shop", Map.of())
                .registryOnly())
        .contains(true);
    assertThat(
            Pushes.of(MESH + sidecar("shop", "default", "outboundTrafficPolicy: {mode: ALLOW_ANY}"))
                .sidecarScope("shop", Map.of())
                .registryOnly())
        .contains(false);
    PushContext unsaid =
        Pushes.of(MESH + sidecar("shop", "default", "egress: [{hosts: [\"./*\"]}]"));
    assertThat(unsaid.sidecarScope("shop", Map.of()).registryOnly()).isEmpty();
    // With no egress listener, the Sidecar restricts nothing it reaches.
    assertThat(
            Pushes.of(
                    MESH
                        + sidecar(
                            "shop", "default", "outboundTrafficPolicy: {mode: REGISTRY_ONLY}"))
                .sidecarScope("shop", Map.of())
                .allows(svc(unsaid, "api.pay.svc.cluster.local"), 8080, "shop"))
        .isTrue();
  }

  @Test
  void aSelectingSidecarBeatsTheNamespacesWhichBeatsTheRootNamespaces() {
    PushContext push =
        Pushes.of(
            MESH
                + sidecar(
                    "istio-system", "mesh", "egress: [{hosts: [\"./*\", \"istio-system/*\"]}]")
                + sidecar("shop", "default", "egress: [{hosts: [\"./*\"]}]")
                + sidecar(
                    "shop",
                    "batch",
                    """
                    workloadSelector: {labels: {app: batch}}
                    egress: [{hosts: ["pay/*"]}]
                    """));
    assertThat(push.sidecarScope("shop", Map.of("app", "batch", "version", "v1")).sidecar())
        .hasValueSatisfying(s -> assertThat(s.name()).isEqualTo("batch"));
    assertThat(push.sidecarScope("shop", Map.of("app", "web")).sidecar())
        .hasValueSatisfying(s -> assertThat(s.name()).isEqualTo("default"));
    SidecarScope pay = push.sidecarScope("pay", Map.of("app", "batch"));
    assertThat(pay.sidecar()).hasValueSatisfying(s -> assertThat(s.name()).isEqualTo("mesh"));
    // "." in the root namespace's Sidecar is the proxy's own namespace.
    assertThat(pay.allows(svc(push, "ledger.pay.svc.cluster.local"), 8080, "pay")).isTrue();
    assertThat(pay.allows(svc(push, "web.shop.svc.cluster.local"), 8080, "pay")).isFalse();
    assertThat(pay.allows(svc(push, "zipkin.istio-system.svc.cluster.local"), 8080, "pay"))
        .isTrue();
  }

  @Test
  void theIngressListenersAreTheSidecars() {
    PushContext push =
        Pushes.of(
            MESH
                + sidecar(
                    "shop",
                    "default",
                    """
                    ingress:
                    - port: {number: 9080, protocol: HTTP, name: http}
                      defaultEndpoint: 127.0.0.1:8080
                    """));
    assertThat(push.sidecarScope("shop", Map.of()).ingress())
        .singleElement()
        .satisfies(
            l -> {
              assertThat(l.port()).isEqualTo(9080);
              assertThat(l.targetPort()).isEqualTo(8080);
            });
    assertThat(push.sidecarScope("pay", Map.of()).ingress()).isEmpty();
  }
}
