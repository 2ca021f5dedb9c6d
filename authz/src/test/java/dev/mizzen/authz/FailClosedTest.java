package dev.mizzen.authz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mizzen.authz.rbac.RbacFilter;
import dev.mizzen.ingest.model.AuthorizationPolicySpec.Action;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An invalid value never opens access that a valid one would have closed: bad ALLOW rules are
 * dropped, bad DENY and AUDIT conditions widened; only the workloads a policy selects are touched.
 */
class FailClosedTest {
  private static final Workload WEB = Mesh.workload("shop", Map.of("app", "web"));
  private static final Principal ANY = Principal.newBuilder().setAny(true).build();

  private static RbacFilter filter(Authorization a, Workload w, Action action, boolean tcp) {
    return a.workload(w).rbac(tcp).stream()
        .filter(f -> f.action() == action)
        .findFirst()
        .orElseThrow();
  }

  @Test
  void anAllowRuleWithABadValueIsDroppedAndTheOthersKept() {
    Authorization a =
        Mesh.of(
            """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: p, namespace: shop}
            spec:
              rules:
              - from: [{source: {ipBlocks: ["10.0.0.0/40"]}}]
              - to: [{operation: {methods: [GET]}}]
            """);
    RbacFilter allow = filter(a, WEB, Action.ALLOW, false);
    assertThat(allow.rules().getPoliciesMap()).containsOnlyKeys("ns[shop]-policy[p]-rule[1]");
    assertThat(a.errors()).hasSize(1);
    assertThat(a.errors().get(0).message())
        .isEqualTo(
            "mesh.yaml:1: AuthorizationPolicy shop/p: spec.rules[0].from[0].source.ipBlocks[0]:"
                + " \"10.0.0.0/40\" has an invalid prefix length; it must be between 0 and 32");
  }

  @Test
  void anAllowPolicyWhoseEveryRuleIsBadDeniesEverythingToItsWorkloadsOnly() {
    Authorization a =
        Mesh.of(
            """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: p, namespace: shop}
            spec:
              selector: {matchLabels: {app: web}}
              rules:
              - when: [{key: "request.regex.headers[x-user]", values: ["(alice"]}]
            """);
    RbacFilter allow = filter(a, WEB, Action.ALLOW, false);
    assertThat(allow.rules().getPoliciesCount())
        .as("an ALLOW filter without policies denies all")
        .isZero();
    assertThat(allow.shadow()).isFalse();
    assertThat(a.workload(Mesh.workload("shop", Map.of("app", "db"))).rbac(false)).isEmpty();
  }

  @Test
  void aRegexOverEnvoysDefaultButUnderIstiosLimitIsEnforcedAndOneOverItFailsClosed() {
    // 282 RE2 instructions: Envoy's default limit (100) would refuse it, Istio's proxies (32768)
    // accept it, so the rule is served as written.
    String ordinary = "alice-[0-9]+(-[a-z]+[0-9]+){0,30}";
    String huge = "[^a]{1000}[^b]{1000}[^c]{1000}[^d]{1000}[^e]{1000}";
    Authorization a =
        Mesh.of(
            """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: allow, namespace: shop}
            spec:
              rules:
              - when: [{key: "request.regex.headers[x-user]", values: ["%s"]}]
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: deny, namespace: shop}
            spec:
              action: DENY
              rules:
              - from: [{source: {principals: ["cluster.local/ns/a/sa/b"]}}]
                when: [{key: "request.regex.headers[x-user]", values: ["%s"]}]
            """
                .formatted(ordinary, huge));
    Policy allow =
        filter(a, WEB, Action.ALLOW, false)
            .rules()
            .getPoliciesOrThrow("ns[shop]-policy[allow]-rule[0]");
    assertThat(allow.toString()).contains("alice-[0-9]+(-[a-z]+[0-9]+){0,30}");
    // The DENY rule is widened: its oversized condition is left out, its principal kept.
    Policy deny =
        filter(a, WEB, Action.DENY, false)
            .rules()
            .getPoliciesOrThrow("ns[shop]-policy[deny]-rule[0]");
    assertThat(deny.toString())
        .doesNotContain("[^a]{1000}")
        .contains("spiffe://cluster.local/ns/a/sa/b");
    assertThat(a.errors()).hasSize(1);
    assertThat(a.errors().get(0).message())
        .endsWith(
            ": AuthorizationPolicy shop/deny: spec.rules[0].when[0].values[0]:"
                + " request.regex.headers[x-user]: RE2 program size 40004 exceeds 32768, the limit of"
                + " Istio's Envoy proxies (re2.max_program_size.error_level); simplify the regular"
                + " expression");
  }

  @Test
  void aDenyConditionWithABadValueIsWidened() {
    Authorization a =
        Mesh.of(
            """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: p, namespace: shop}
            spec:
              action: DENY
              rules:
              - from: [{source: {notIpBlocks: ["not-an-ip"], principals: ["cluster.local/ns/a/sa/b"]}}]
                when:
                - key: source.ip
                  values: ["300.1.1.1"]
                - key: request.bogus
                  values: [x]
            """);
    Policy p =
        filter(a, WEB, Action.DENY, false).rules().getPoliciesOrThrow("ns[shop]-policy[p]-rule[0]");
    // Only the valid principal condition is left: the rule now matches more requests.
    Principal and = p.getPrincipals(0);
    assertThat(and.getAndIds().getIdsList()).hasSize(1);
    assertThat(
            and.getAndIds()
                .getIds(0)
                .getOrIds()
                .getIds(0)
                .getAuthenticated()
                .getPrincipalName()
                .getExact())
        .isEqualTo("spiffe://cluster.local/ns/a/sa/b");
    assertThat(a.errors()).hasSize(3);
  }

  @Test
  void anUnreadableDenyRuleDeniesEverythingAndAnUnreadableAllowRuleNothing() {
    Authorization a =
        Mesh.of(
            """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: deny, namespace: shop}
            spec:
              action: DENY
              rules:
              - from: [{source: {principals: "not-a-list"}}]
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: allow, namespace: shop}
            spec:
              rules:
              - from: [{source: {principals: "not-a-list"}}]
            """);
    Policy deny =
        filter(a, WEB, Action.DENY, false)
            .rules()
            .getPoliciesOrThrow("ns[shop]-policy[deny]-rule[0]");
    assertThat(deny.getPrincipals(0).getAndIds().getIdsList()).containsExactly(ANY);
    assertThat(deny.getPermissions(0).getAndRules().getRules(0).getAny()).isTrue();
    assertThat(filter(a, WEB, Action.ALLOW, false).rules().getPoliciesCount()).isZero();
  }

  @Test
  void httpOnlyFieldsOnTcpDropAllowRulesAndWidenDenyRules() {
    Authorization a =
        Mesh.of(
            """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: allow, namespace: shop}
            spec:
              rules:
              - to: [{operation: {methods: [GET], ports: ["80"]}}]
              - to: [{operation: {ports: ["81"]}}]
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: deny, namespace: shop}
            spec:
              action: DENY
              rules:
              - to: [{operation: {methods: [GET], ports: ["82"]}}]
            """);
    assertThat(filter(a, WEB, Action.ALLOW, true).rules().getPoliciesMap())
        .containsOnlyKeys("ns[shop]-policy[allow]-rule[1]");
    assertThat(filter(a, WEB, Action.ALLOW, false).rules().getPoliciesMap()).hasSize(2);
    Policy deny =
        filter(a, WEB, Action.DENY, true)
            .rules()
            .getPoliciesOrThrow("ns[shop]-policy[deny]-rule[0]");
    var and = deny.getPermissions(0).getAndRules().getRulesList();
    assertThat(and).hasSize(1);
    assertThat(and.get(0).getOrRules().getRules(0).getDestinationPort()).isEqualTo(82);
  }

  @Test
  void rootNamespacePoliciesApplyMeshWideAndOthersOnlyInTheirNamespace() {
    Authorization a =
        Mesh.of(
            """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: mesh, namespace: istio-system}
            spec:
              action: DENY
              selector: {matchLabels: {app: web}}
              rules: [{to: [{operation: {paths: [/admin]}}]}]
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: local, namespace: billing}
            spec:
              action: DENY
              rules: [{to: [{operation: {paths: [/local]}}]}]
            """);
    assertThat(a.workload(WEB).policies()).extracting(c -> c.name()).containsExactly("mesh");
    assertThat(a.workload(Mesh.workload("billing", Map.of("app", "web"))).policies())
        .extracting(c -> c.name())
        .containsExactlyInAnyOrder("mesh", "local");
    assertThat(a.workload(Mesh.workload("billing", Map.of("app", "db"))).policies())
        .extracting(c -> c.name())
        .containsExactly("local");
    assertThat(a.selectorKeys("shop")).containsExactly("app");
  }

  @Test
  void noPolicyNoFilterAndFiltersComeInAuditDenyAllowOrder() {
    assertThat(Mesh.of("").workload(WEB).rbac(false)).isEmpty();
    Authorization a =
        Mesh.of(
            """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: allow, namespace: shop}
            spec: {rules: [{}]}
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: deny, namespace: shop}
            spec: {action: DENY, rules: [{to: [{operation: {paths: [/x]}}]}]}
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: audit, namespace: shop}
            spec: {action: AUDIT, rules: [{}]}
            """);
    assertThat(a.workload(WEB).rbac(false))
        .extracting(RbacFilter::action)
        .containsExactly(Action.AUDIT, Action.DENY, Action.ALLOW);
  }

  @Test
  void grpcFiltersHaveDistinctNamesAndNoJwtFilter() {
    Authorization a =
        Mesh.of(
            """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: allow, namespace: shop}
            spec: {rules: [{}]}
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: deny, namespace: shop}
            spec: {action: DENY, rules: [{to: [{operation: {paths: [/x]}}]}]}
            ---
            apiVersion: security.istio.io/v1
            kind: RequestAuthentication
            metadata: {name: jwt, namespace: shop}
            spec:
              jwtRules: [{issuer: https://issuer.example, jwks: '{"keys": []}'}]
            """);
    assertThat(a.workload(WEB).httpFilters(DataPlane.GRPC))
        .extracting(f -> f.getName())
        .containsExactly("envoy.filters.http.rbac.DENY", "envoy.filters.http.rbac");
    assertThat(a.workload(WEB).httpFilters(DataPlane.ENVOY))
        .extracting(f -> f.getName())
        .containsExactly(
            "envoy.filters.http.jwt_authn", "envoy.filters.http.rbac", "envoy.filters.http.rbac");
    assertThat(List.of(a.workload(WEB).networkFilters().size())).containsExactly(2);
  }
}
