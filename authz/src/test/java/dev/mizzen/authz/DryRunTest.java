package dev.mizzen.authz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mizzen.authz.explain.RequestDescription;
import dev.mizzen.authz.rbac.RbacFilter;
import dev.mizzen.ingest.model.AuthorizationPolicySpec.Action;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Policies annotated istio.io/dry-run become Envoy shadow rules: counted and logged, never
 * enforced.
 */
class DryRunTest {
  private static final Workload WEB = Mesh.workload("shop", Map.of("app", "web"));

  private static final String DRY_RUN_DENY =
      """
      apiVersion: security.istio.io/v1
      kind: AuthorizationPolicy
      metadata:
        name: no-admin
        namespace: shop
        annotations: {"istio.io/dry-run": "true"}
      spec:
        action: DENY
        rules: [{to: [{operation: {paths: [/admin]}}]}]
      """;

  private static RequestDescription get(String path) {
    return new RequestDescription(
        "GET", path, "web.shop", Map.of(), 8080, "", "10.0.0.9", "", "", "", Map.of());
  }

  @Test
  void aDryRunDenyPolicyDeniesNothingAndIsSentAsShadowRules() throws Exception {
    WorkloadAuthz w = Mesh.of(DRY_RUN_DENY).workload(WEB);
    Explanation x = w.explain(get("/admin"));
    assertThat(x.decision()).isEqualTo("ALLOW");
    assertThat(x.enforced()).isTrue();
    assertThat(x.dryRun()).containsExactly("DENY ns[shop]-policy[no-admin]-rule[0]");
    assertThat(w.explain(get("/items")).dryRun()).isEmpty();

    RbacFilter deny = w.rbac(false).get(0);
    assertThat(deny.enforces()).isFalse();
    var http =
        w.httpFilters(DataPlane.ENVOY)
            .get(0)
            .getTypedConfig()
            .unpack(io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.class);
    assertThat(http.hasRules()).as("nothing enforced").isFalse();
    assertThat(http.getShadowRules().getAction()).isEqualTo(RBAC.Action.DENY);
    assertThat(http.getShadowRules().getPoliciesMap())
        .containsOnlyKeys("ns[shop]-policy[no-admin]-rule[0]");
    assertThat(http.getShadowRulesStatPrefix()).isEqualTo("istio_dry_run_deny_");
    var tcp =
        w.networkFilters()
            .get(0)
            .getTypedConfig()
            .unpack(io.envoyproxy.envoy.extensions.filters.network.rbac.v3.RBAC.class);
    assertThat(tcp.hasRules()).isFalse();
    assertThat(tcp.getShadowRulesStatPrefix()).isEqualTo("istio_dry_run_deny_");
    assertThat(tcp.getStatPrefix()).isEqualTo("tcp.");
  }

  @Test
  void enforcedAndDryRunPoliciesOfOneActionShareAFilter() throws Exception {
    WorkloadAuthz w =
        Mesh.of(
                DRY_RUN_DENY
                    + """
                    ---
                    apiVersion: security.istio.io/v1
                    kind: AuthorizationPolicy
                    metadata: {name: no-debug, namespace: shop, annotations: {"istio.io/dry-run": "false"}}
                    spec:
                      action: DENY
                      rules: [{to: [{operation: {paths: [/debug]}}]}]
                    ---
                    apiVersion: security.istio.io/v1
                    kind: AuthorizationPolicy
                    metadata: {name: try-allow, namespace: shop, annotations: {"istio.io/dry-run": "True"}}
                    spec:
                      rules: [{to: [{operation: {methods: [POST]}}]}]
                    """)
            .workload(WEB);
    assertThat(w.rbac(false))
        .extracting(RbacFilter::action)
        .containsExactly(Action.DENY, Action.ALLOW);
    var deny = w.rbac(false).get(0);
    assertThat(deny.rules().getPoliciesMap()).containsOnlyKeys("ns[shop]-policy[no-debug]-rule[0]");
    assertThat(deny.dryRun().getPoliciesMap())
        .containsOnlyKeys("ns[shop]-policy[no-admin]-rule[0]");
    assertThat(w.explain(get("/debug")).decision()).isEqualTo("DENY");
    // The dry-run ALLOW policy would deny a GET; it only says so.
    Explanation x = w.explain(get("/admin"));
    assertThat(x.decision()).isEqualTo("ALLOW");
    assertThat(x.dryRun()).containsExactly("DENY ns[shop]-policy[no-admin]-rule[0]");
    var allow =
        w.httpFilters(DataPlane.ENVOY)
            .get(1)
            .getTypedConfig()
            .unpack(io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.class);
    assertThat(allow.hasRules()).isFalse();
    assertThat(allow.getShadowRulesStatPrefix()).isEqualTo("istio_dry_run_allow_");
  }

  @Test
  void aValueThatIsNotABooleanIsEnforcedWithAWarning() {
    Authorization a = Mesh.of(DRY_RUN_DENY.replace("\"true\"", "\"yes\""));
    assertThat(a.workload(WEB).explain(get("/admin")).decision()).isEqualTo("DENY");
    assertThat(a.warnings().get(0).message())
        .isEqualTo(
            "mesh.yaml:1: AuthorizationPolicy shop/no-admin: metadata.annotations.istio.io/dry-run:"
                + " \"yes\" is not true or false; the policy is enforced, as Istio enforces it");
  }
}
