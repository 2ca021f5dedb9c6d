package dev.mizzen.pilot.push;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.ConfigError;
import dev.mizzen.ingest.model.DestinationRuleSpec;
import dev.mizzen.ingest.model.DestinationRuleSpec.Subset;
import dev.mizzen.ingest.model.ObjectRef;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which DestinationRule a proxy applies, and what several rules for one host merge into. */
class DestinationRulesTest {
  private static final String CART = "cart.shop.svc.cluster.local";

  private static final String MESH =
      """
      apiVersion: maistra.io/v1
      kind: ServiceMeshMemberRoll
      metadata: {name: default, namespace: istio-system}
      spec: {members: [shop, shipping, ops, billing]}
      ---
      {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}
      ---
      {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shipping"}}
      ---
      {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ops"}}
      ---
      {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "billing"}}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: cart, namespace: shop}
      spec:
        clusterIP: 10.96.0.10
        ports: [{name: http, port: 8080}]
      ---
      """;

  private static PushContext push(String rules) {
    return Pushes.of(MESH + rules);
  }

  private static String rule(String ns, String name, String created, String spec) {
    return """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: %s, namespace: %s, creationTimestamp: "%s"}
        spec:
        %s
        ---
        """
        .formatted(name, ns, created, spec.stripTrailing().indent(2).stripTrailing());
  }

  private static List<String> subsets(PushContext push, String viewer) {
    return push.destinationRule(CART, viewer).orElseThrow().spec().subsets().stream()
        .map(Subset::name)
        .toList();
  }

  private static String applied(PushContext push, String viewer) {
    return push.destinationRule(CART, viewer).map(Config::name).orElse("none");
  }

  @Test
  void rulesWithTheSameExportToMergeIntoTheOldest() {
    PushContext push =
        push(
            rule(
                    "shop",
                    "b",
                    "2024-02-01T00:00:00Z",
                    """
                    host: cart
                    trafficPolicy: {loadBalancer: {simple: RANDOM}}
                    subsets: [{name: v2, labels: {version: v2}}, {name: v1, labels: {version: x}}]
                    """)
                + rule(
                    "shop",
                    "a",
                    "2024-01-01T00:00:00Z",
                    "host: cart.shop.svc.cluster.local\n"
                        + "subsets: [{name: v1, labels: {version: v1}}]")
                + rule(
                    "shop",
                    "c",
                    "2024-03-01T00:00:00Z",
                    "host: cart\ntrafficPolicy: {loadBalancer: {simple: LEAST_REQUEST}}"));

    for (String viewer : List.of("shop", "shipping")) {
      DestinationRules.Merged merged = push.mergedDestinationRule(CART, viewer).orElseThrow();
      assertThat(merged.rule().name()).as(viewer).isEqualTo("a");
      assertThat(merged.from())
          .extracting(ObjectRef::name)
          .as(viewer)
          .containsExactly("a", "b", "c");
      assertThat(subsets(push, viewer)).as(viewer).containsExactly("v1", "v2");
      // The oldest definition of v1 stands; the oldest top-level policy written is b's.
      DestinationRuleSpec spec = merged.rule().spec();
      assertThat(spec.subset("v1").orElseThrow().labels()).containsEntry("version", "v1");
      assertThat(spec.trafficPolicy().loadBalancer().simple().name()).isEqualTo("RANDOM");
    }
    assertThat(push.destinationRules().duplicateSubsetHosts()).isEqualTo(1);
    assertThat(push.warnings())
        .extracting(ConfigError::message)
        .containsExactly(
            "mesh.yaml:21: DestinationRule shop/b: spec.subsets[1].name: subset \"v1\" of "
                + CART
                + " is already defined by DestinationRule shop/a, which was created first and"
                + " wins; this definition is ignored");
  }

  @Test
  void aMergedRuleIsOneObjectForTheWholePush() {
    PushContext push =
        push(
            rule("shop", "a", "2024-01-01T00:00:00Z", "host: cart\nsubsets: [{name: v1}]")
                + rule("shop", "b", "2024-02-01T00:00:00Z", "host: cart\nsubsets: [{name: v2}]"));
    Optional<Config<DestinationRuleSpec>> first = push.destinationRule(CART, "shipping");
    assertThat(push.destinationRule(CART, "shipping").orElseThrow()).isSameAs(first.orElseThrow());
    assertThat(push.destinationRule(CART, "ops").orElseThrow()).isSameAs(first.orElseThrow());
    // Found through the service namespace's own rules, as through its exported ones: one object.
    assertThat(push.destinationRule(CART, "shop").orElseThrow()).isSameAs(first.orElseThrow());
  }

  @Test
  void aRuleWithAnotherExportToStandsAloneAndTheLastOneVisibleApplies() {
    PushContext push =
        push(
            rule("shop", "public", "2024-01-01T00:00:00Z", "host: cart\nsubsets: [{name: v1}]")
                + rule(
                    "shop",
                    "local",
                    "2024-02-01T00:00:00Z",
                    "host: cart\nexportTo: [\".\"]\nsubsets: [{name: v2}]"));
    // Both are in force in shop; the later one, not merged, replaces the other there.
    assertThat(applied(push, "shop")).isEqualTo("local");
    assertThat(subsets(push, "shop")).containsExactly("v2");
    // Elsewhere only the public one is exported.
    assertThat(applied(push, "shipping")).isEqualTo("public");
    assertThat(subsets(push, "shipping")).containsExactly("v1");
    assertThat(push.warnings())
        .extracting(ConfigError::message)
        .anySatisfy(
            m ->
                assertThat(m)
                    .contains("DestinationRule shop/public: spec.exportTo: not merged with")
                    .contains("proxies in shop apply that rule"));
  }

  @Test
  void aWiderExportToIsMergedIntoTheNarrowerRuleAndAlsoKeptAlone() {
    PushContext push =
        push(
            rule(
                    "shop",
                    "narrow",
                    "2024-01-01T00:00:00Z",
                    "host: cart\nexportTo: [shipping]\nsubsets: [{name: v1}]")
                + rule(
                    "shop",
                    "wide",
                    "2024-02-01T00:00:00Z",
                    "host: cart\nexportTo: [shipping, ops]\nsubsets: [{name: v2}]"));
    DestinationRules.Merged forShipping = push.mergedDestinationRule(CART, "shipping").get();
    // The last rule shipping may see is the wide one on its own.
    assertThat(forShipping.from()).extracting(ObjectRef::name).containsExactly("wide");
    assertThat(applied(push, "ops")).isEqualTo("wide");
    assertThat(applied(push, "billing")).isEqualTo("none");
  }

  @Test
  void theProxysNamespaceComesBeforeAMoreSpecificHostElsewhere() {
    PushContext push =
        push(
            rule(
                    "shipping",
                    "everything",
                    "2024-01-01T00:00:00Z",
                    "host: \"*.svc.cluster.local\"\nexportTo: [\".\"]")
                + rule("shop", "cart", "2024-02-01T00:00:00Z", "host: cart"));
    assertThat(applied(push, "shipping")).isEqualTo("everything");
    assertThat(applied(push, "ops")).isEqualTo("cart");
  }

  @Test
  void aRuleOfAnUnrelatedNamespaceNeverApplies() {
    PushContext push =
        push(
            rule("ops", "cart", "2024-01-01T00:00:00Z", "host: " + CART)
                + rule(
                    "istio-system",
                    "mesh-wide",
                    "2024-01-01T00:00:00Z",
                    "host: \"*.local\"\nsubsets: [{name: any}]"));
    // ops' own proxies apply it; shipping's look in shop, then in the root namespace.
    assertThat(applied(push, "ops")).isEqualTo("cart");
    assertThat(applied(push, "shipping")).isEqualTo("mesh-wide");
  }

  @Test
  void theRootNamespacesPrivateRulesApplyToItsOwnProxiesFirst() {
    PushContext push =
        push(
            rule(
                    "istio-system",
                    "root-private",
                    "2024-01-01T00:00:00Z",
                    "host: \"*.local\"\nexportTo: [\".\"]")
                + rule("shop", "cart", "2024-02-01T00:00:00Z", "host: cart"));
    assertThat(applied(push, "istio-system")).isEqualTo("root-private");
    assertThat(applied(push, "shipping")).isEqualTo("cart");
  }
}
