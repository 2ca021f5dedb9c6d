package dev.mizzen.authz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mizzen.authz.explain.RequestDescription;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which policy and rule decide a described request, evaluated on the generated RBAC. */
class ExplainerTest {
  private static final Workload WEB = Mesh.workload("shop", Map.of("app", "web"));

  private static final String POLICIES =
      """
      apiVersion: security.istio.io/v1
      kind: AuthorizationPolicy
      metadata: {name: readers, namespace: shop}
      spec:
        rules:
        - from: [{source: {namespaces: [front]}}]
          to: [{operation: {methods: [GET], paths: ["/api/*"]}}]
        - to: [{operation: {paths: ["/items/{*}/price"]}}]
          when: [{key: "request.auth.claims[groups]", values: [buyers]}]
      ---
      apiVersion: security.istio.io/v1
      kind: AuthorizationPolicy
      metadata: {name: no-admin, namespace: shop}
      spec:
        action: DENY
        rules:
        - to: [{operation: {paths: ["/api/admin*"]}}]
          when: [{key: "request.headers[x-debug]", notValues: ["*"]}]
      ---
      apiVersion: security.istio.io/v1
      kind: AuthorizationPolicy
      metadata: {name: audit-api, namespace: istio-system}
      spec:
        action: AUDIT
        rules: [{to: [{operation: {paths: ["/api/*"]}}]}]
      """;

  private static RequestDescription request(
      String method,
      String path,
      Map<String, String> headers,
      String principal,
      Map<String, List<String>> claims) {
    return new RequestDescription(
        method, path, "web.shop", headers, 8080, "", "10.0.0.9", "", principal, "", claims);
  }

  @Test
  void namesTheAllowRuleThatAllows() {
    Explanation x =
        Mesh.of(POLICIES)
            .workload(WEB)
            .explain(
                request(
                    "GET",
                    "/api/items?page=2",
                    Map.of(),
                    "spiffe://cluster.local/ns/front/sa/ui",
                    Map.of()));
    assertThat(x.decision()).isEqualTo("ALLOW");
    assertThat(x.filter()).isEqualTo("ALLOW");
    assertThat(x.policy()).isEqualTo("ns[shop]-policy[readers]-rule[0]");
    assertThat(x.namespace()).isEqualTo("shop");
    assertThat(x.name()).isEqualTo("readers");
    assertThat(x.rule()).isZero();
    assertThat(x.message())
        .isEqualTo(
            "allowed by ALLOW policy shop/readers, rule 0 (ns[shop]-policy[readers]-rule[0])");
    assertThat(x.audited()).containsExactly("ns[istio-system]-policy[audit-api]-rule[0]");
    assertThat(x.enforced()).isTrue();
  }

  @Test
  void namesTheDenyRuleThatDenies() {
    Explanation x =
        Mesh.of(POLICIES)
            .workload(WEB)
            .explain(
                request(
                    "GET",
                    "/api/admin/users",
                    Map.of(),
                    "spiffe://cluster.local/ns/front/sa/ui",
                    Map.of()));
    assertThat(x.decision()).isEqualTo("DENY");
    assertThat(x.filter()).isEqualTo("DENY");
    assertThat(x.policy()).isEqualTo("ns[shop]-policy[no-admin]-rule[0]");
    assertThat(x.message())
        .isEqualTo(
            "denied by DENY policy shop/no-admin, rule 0 (ns[shop]-policy[no-admin]-rule[0])");

    Explanation debugging =
        Mesh.of(POLICIES)
            .workload(WEB)
            .explain(
                request(
                    "GET",
                    "/api/admin/users",
                    Map.of("X-Debug", "1"),
                    "spiffe://cluster.local/ns/front/sa/ui",
                    Map.of()));
    assertThat(debugging.decision())
        .as("the DENY rule spares requests with x-debug")
        .isEqualTo("ALLOW");
  }

  @Test
  void readsPathTemplatesAndJwtClaims() {
    WorkloadAuthz w = Mesh.of(POLICIES).workload(WEB);
    Explanation buyer =
        w.explain(
            request(
                "POST",
                "/items/42/price",
                Map.of(),
                "",
                Map.of("groups", List.of("staff", "buyers"))));
    assertThat(buyer.policy()).isEqualTo("ns[shop]-policy[readers]-rule[1]");
    Explanation tooDeep =
        w.explain(
            request(
                "POST", "/items/42/x/price", Map.of(), "", Map.of("groups", List.of("buyers"))));
    assertThat(tooDeep.decision()).isEqualTo("DENY");
  }

  @Test
  void saysWhenNothingMatched() {
    Explanation x =
        Mesh.of(POLICIES)
            .workload(WEB)
            .explain(request("GET", "/api/items", Map.of(), "", Map.of()));
    assertThat(x.decision()).isEqualTo("DENY");
    assertThat(x.policy()).isEmpty();
    assertThat(x.rule()).isEqualTo(-1);
    assertThat(x.message())
        .isEqualTo(
            "denied: no rule matched; ALLOW policies apply to this workload and none of their rules allows the"
                + " request");

    Explanation open =
        Mesh.of("").workload(WEB).explain(request("GET", "/", Map.of(), "", Map.of()));
    assertThat(open.decision()).isEqualTo("ALLOW");
    assertThat(open.message())
        .isEqualTo("allowed: no policy matched (no DENY rule matches and no ALLOW policy applies)");
  }

  @Test
  void namesTheRbacConfigThatDeniesByDefaultAndSaysWhenRulesOnlyLog() {
    String on =
        "apiVersion: rbac.maistra.io/v1\nkind: ServiceMeshRbacConfig\nmetadata: {name: default, namespace: istio-system}\n";
    Explanation enforced =
        Mesh.of(on + "spec: {mode: \"ON\"}\n")
            .workload(WEB)
            .explain(request("GET", "/", Map.of(), "", Map.of()));
    assertThat(enforced.decision()).isEqualTo("DENY");
    assertThat(enforced.message())
        .isEqualTo(
            "denied: no rule matched; ServiceMeshRbacConfig istio-system/default enforces authorization on this"
                + " workload and no ALLOW rule allows the request");

    Explanation logged =
        Mesh.of(on + "spec: {mode: \"ON\", enforcementMode: PERMISSIVE}\n")
            .workload(WEB)
            .explain(request("GET", "/", Map.of(), "", Map.of()));
    assertThat(logged.decision()).isEqualTo("DENY");
    assertThat(logged.enforced()).isFalse();
    assertThat(logged.message())
        .endsWith(
            "-- but the rules are only logged (ServiceMeshRbacConfig enforcementMode PERMISSIVE), so the request passes");
  }
}
