package dev.mizzen.authz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mizzen.authz.explain.RequestDescription;
import dev.mizzen.authz.rbac.RbacFilter;
import dev.mizzen.ingest.model.AuthorizationPolicySpec.Action;
import dev.mizzen.ingest.model.ConfigError;
import dev.mizzen.ingest.model.MtlsMode;
import dev.mizzen.ingest.parse.ManifestParser;
import dev.mizzen.ingest.parse.ParseResult;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A security object that is refused as a whole is served by a stand-in that closes, whatever field
 * was at fault: one test per cell of the README's table (Authorization, "Invalid policies fail
 * closed"), each on the RBAC, TLS or JWT config produced.
 */
class UnreadablePolicyTest {
  private static final Workload WEB = Mesh.workload("shop", Map.of("app", "web"));
  private static final Workload DB = Mesh.workload("shop", Map.of("app", "db"));
  private static final Workload BILLING = Mesh.workload("billing", Map.of("app", "web"));

  private static List<RbacFilter> filters(Authorization a, Workload w, Action action) {
    return a.workload(w).rbac(false).stream().filter(f -> f.action() == action).toList();
  }

  private static Policy denyAll(Authorization a, Workload w, String name) {
    List<RbacFilter> deny = filters(a, w, Action.DENY);
    assertThat(deny).hasSize(1);
    Policy p = deny.get(0).rules().getPoliciesOrThrow(name);
    assertThat(p.getPermissionsList()).hasSize(1);
    assertThat(p.getPermissions(0).getAndRules().getRules(0).getAny()).isTrue();
    assertThat(p.getPrincipals(0).getAndIds().getIds(0).getAny()).isTrue();
    return p;
  }

  private static RequestDescription get(String path) {
    return new RequestDescription(
        "GET", path, "web.shop", Map.of(), 8080, "", "10.0.0.9", "", "", "", Map.of());
  }

  private static List<String> errors(Authorization a) {
    return a.errors().stream().map(ConfigError::message).toList();
  }

  @Test
  void aDenyPolicyThatCannotBeReadDeniesEverythingItsSelectorSelects() {
    // Ingest to RBAC: a null condition makes its rule unreadable, and a DENY rule that cannot be
    // read denies everything the policy selects. (Whole-object failures: the test below.)
    Authorization a =
        Mesh.of(
            """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: p, namespace: shop}
            spec:
              selector: {matchLabels: {app: web}}
              action: DENY
              rules:
              - to: [{operation: {paths: [/admin]}}]
                when: [null]
            """);
    denyAll(a, WEB, "ns[shop]-policy[p]-rule[0]");
    assertThat(a.workload(WEB).explain(get("/items")).decision()).isEqualTo("DENY");
    assertThat(a.workload(DB).rbac(false)).isEmpty();
    assertThat(errors(a))
        .containsExactly(
            "mesh.yaml:1: AuthorizationPolicy shop/p: spec.rules[0].when[0]: unreadable rule: empty list item");
  }

  @Test
  void theSameStandInWhateverFieldIsAtFault() {
    Authorization a =
        Mesh.of(
            """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: unknown-field, namespace: shop}
            spec:
              selector: {matchLabels: {app: web}}
              action: DENY
              rules: [{to: [{operation: {paths: [/admin]}}]}]
              bogus: 1
            ---
            apiVersion: security.istio.io/v1beta1
            kind: AuthorizationPolicy
            metadata: {name: no-rules, namespace: shop}
            spec: {selector: {matchLabels: {app: web}}, action: DENY}
            """);
    Policy unknown = denyAll(a, WEB, "ns[shop]-policy[unknown-field]-rule[0]");
    assertThat(denyAll(a, WEB, "ns[shop]-policy[no-rules]-rule[0]")).isEqualTo(unknown);
    assertThat(errors(a)).hasSize(2);
    assertThat(errors(a).get(1))
        .isEqualTo(
            "mesh.yaml:1: AuthorizationPolicy shop/unknown-field: spec.bogus: unknown field");
  }

  @Test
  void anUnreadableOrCustomActionIsServedAsDeny() {
    Authorization a =
        Mesh.of(
            """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: typo, namespace: shop}
            spec: {selector: {matchLabels: {app: web}}, action: DENNY, rules: [{}]}
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: custom, namespace: shop}
            spec: {selector: {matchLabels: {app: web}}, action: CUSTOM, provider: {name: ext}, rules: [{}]}
            """);
    denyAll(a, WEB, "ns[shop]-policy[typo]-rule[0]");
    denyAll(a, WEB, "ns[shop]-policy[custom]-rule[0]");
    assertThat(a.workload(DB).rbac(false)).isEmpty();
    assertThat(errors(a))
        .containsExactly(
            "mesh.yaml:6: AuthorizationPolicy shop/custom: spec.action: CUSTOM is not supported: it"
                + " delegates to an extension provider, and this version of Mizzen has none",
            "mesh.yaml:1: AuthorizationPolicy shop/typo: spec.action: unknown value \"DENNY\"; allowed:"
                + " ALLOW, DENY, AUDIT, CUSTOM");
  }

  @Test
  void aDenyPolicyWhoseSelectorCannotBeReadDeniesTheNamespaceOrInTheRootNamespaceTheMesh() {
    Authorization a =
        Mesh.of(
            """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: local, namespace: shop}
            spec: {selector: {matchLabels: [app]}, action: DENY, rules: [{}]}
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: mesh, namespace: istio-system}
            spec: {selector: {matchLabels: {app: 7}}, action: DENY, rules: [{}]}
            """);
    denyAll(a, DB, "ns[shop]-policy[local]-rule[0]");
    assertThat(a.workload(BILLING).policies()).extracting(c -> c.name()).containsExactly("mesh");
    denyAll(a, BILLING, "ns[istio-system]-policy[mesh]-rule[0]");
  }

  @Test
  void anAllowPolicyThatCannotBeReadAllowsNothingToWhatItSelects() {
    Authorization a =
        Mesh.of(
            """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: p, namespace: shop}
            spec:
              selector: {matchLabels: {app: web}}
              rules: {from: []}
            """);
    RbacFilter allow = filters(a, WEB, Action.ALLOW).get(0);
    assertThat(allow.rules().getPoliciesMap()).containsOnlyKeys("ns[shop]-policy[p]-rule[0]");
    Policy nothing = allow.rules().getPoliciesOrThrow("ns[shop]-policy[p]-rule[0]");
    assertThat(nothing.getPermissions(0).getNotRule().getAny()).isTrue();
    assertThat(a.workload(WEB).explain(get("/")).decision()).isEqualTo("DENY");
    assertThat(a.workload(DB).rbac(false)).isEmpty();
    assertThat(errors(a))
        .containsExactly(
            "mesh.yaml:1: AuthorizationPolicy shop/p: spec.rules: wrong type: expected list");
  }

  @Test
  void anAuditPolicyThatCannotBeReadIsLeftOutWithItsError() {
    List<ParseResult> r =
        new ManifestParser()
            .parse(
                "mesh.yaml",
                """
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: p, namespace: shop}
                spec: {action: AUDIT, rules: {}}
                """);
    assertThat(r.get(0).isServed()).isFalse();
    assertThat(r.get(0).error().message())
        .isEqualTo(
            "mesh.yaml:1: AuthorizationPolicy shop/p: spec.rules: wrong type: expected list");
  }

  @Test
  void aPeerAuthenticationThatCannotBeReadIsStrictForWhatItSelectsAndWinsItsLevel() {
    Authorization a =
        Mesh.of(
            """
            apiVersion: security.istio.io/v1
            kind: PeerAuthentication
            metadata: {name: open, namespace: shop, creationTimestamp: "2024-01-01T00:00:00Z"}
            spec: {mtls: {mode: PERMISSIVE}}
            ---
            apiVersion: security.istio.io/v1
            kind: PeerAuthentication
            metadata: {name: web, namespace: shop, creationTimestamp: "2025-01-01T00:00:00Z"}
            spec: {selector: {matchLabels: {app: web}}, mtls: {mode: DISABLE}, bogus: true}
            ---
            apiVersion: security.istio.io/v1
            kind: PeerAuthentication
            metadata: {name: billing, namespace: billing, creationTimestamp: "2025-01-01T00:00:00Z"}
            spec: {selector: 7}
            ---
            apiVersion: security.istio.io/v1
            kind: PeerAuthentication
            metadata: {name: older, namespace: billing, creationTimestamp: "2024-01-01T00:00:00Z"}
            spec: {mtls: {mode: DISABLE}}
            """);
    assertThat(a.workload(WEB).mtls(8080).mode()).isEqualTo(MtlsMode.STRICT);
    assertThat(a.workload(WEB).mtls(8080).source()).isEqualTo("PeerAuthentication shop/web");
    assertThat(a.workload(DB).mtls(8080).mode()).isEqualTo(MtlsMode.PERMISSIVE);
    assertThat(a.workload(BILLING).mtls(8080).mode()).isEqualTo(MtlsMode.STRICT);
    assertThat(a.workload(BILLING).mtls(8080).source())
        .isEqualTo("PeerAuthentication billing/billing");
    assertThat(errors(a)).hasSize(2);
  }

  @Test
  void aRequestAuthenticationThatCannotBeReadRefusesTokensNoReadableRuleAccepts() throws Exception {
    Authorization a =
        Mesh.of(
            """
            apiVersion: security.istio.io/v1
            kind: RequestAuthentication
            metadata: {name: jwt, namespace: shop}
            spec:
              selector: {matchLabels: {app: web}}
              jwtRules: [{issuer: https://issuer.example, jwks: '{"keys": []}', timeout: 5s}]
            """);
    JwtAuthentication jwt = jwtFilter(a.workload(WEB).httpFilters(DataPlane.ENVOY).get(0));
    assertThat(jwt.getProvidersMap()).hasSize(1);
    var provider = jwt.getProvidersMap().values().iterator().next();
    assertThat(provider.getIssuer()).as("takes every token").isEmpty();
    assertThat(provider.getLocalJwks().getInlineString())
        .contains("\"kid\":\"mizzen-fail-closed\"");
    var any = jwt.getRules(0).getRequires().getRequiresAny().getRequirementsList();
    assertThat(any).hasSize(2);
    assertThat(any.get(1).hasAllowMissing()).as("a request without a token passes").isTrue();
    assertThat(a.workload(DB).httpFilters(DataPlane.ENVOY)).isEmpty();
    assertThat(errors(a))
        .containsExactly(
            "mesh.yaml:1: RequestAuthentication shop/jwt: spec.jwtRules[0].timeout: not supported by this version of Mizzen");
  }

  @Test
  void aServiceMeshPolicyThatCannotBeReadIsStrictAndRefusesTokens() throws Exception {
    Authorization a =
        Mesh.of(
            """
            apiVersion: authentication.maistra.io/v1
            kind: ServiceMeshPolicy
            metadata: {name: default, namespace: istio-system}
            spec: {peers: [{mtls: {mode: PERMISSIVE}}], targets: [{name: web}]}
            """);
    assertThat(a.workload(WEB).mtls(8080).mode()).isEqualTo(MtlsMode.STRICT);
    assertThat(a.mtls("billing", Map.of(), 9090).source())
        .isEqualTo("ServiceMeshPolicy istio-system/default");
    JwtAuthentication jwt = jwtFilter(a.workload(WEB).httpFilters(DataPlane.ENVOY).get(0));
    assertThat(jwt.getProvidersMap().values().iterator().next().getIssuer()).isEmpty();
    assertThat(errors(a)).hasSize(1);
  }

  @Test
  void aServiceMeshRbacConfigThatCannotBeReadEnforcesEverywhere() {
    Authorization a =
        Mesh.of(
            """
            apiVersion: rbac.maistra.io/v1
            kind: ServiceMeshRbacConfig
            metadata: {name: default, namespace: istio-system}
            spec: {mode: OFF, exclusions: {namespaces: [shop]}}
            """);
    for (Workload w : List.of(WEB, DB, BILLING)) {
      WorkloadAuthz authz = a.workload(w);
      assertThat(authz.enforcedBy()).isEqualTo("istio-system/default");
      assertThat(authz.shadow()).isFalse();
      assertThat(authz.rbac(false)).extracting(RbacFilter::action).containsExactly(Action.ALLOW);
      assertThat(authz.explain(get("/")).decision()).isEqualTo("DENY");
    }
    assertThat(errors(a)).hasSize(1);
  }

  private static JwtAuthentication jwtFilter(HttpFilter f) throws Exception {
    assertThat(f.getName()).isEqualTo("envoy.filters.http.jwt_authn");
    return f.getTypedConfig().unpack(JwtAuthentication.class);
  }
}
