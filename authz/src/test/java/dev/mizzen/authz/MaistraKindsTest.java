package dev.mizzen.authz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mizzen.authz.authn.Mtls;
import dev.mizzen.authz.rbac.RbacFilter;
import dev.mizzen.ingest.model.AuthorizationPolicySpec.Action;
import dev.mizzen.ingest.model.MtlsMode;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * ServiceMeshRbacConfig, ServiceMeshPolicy, and the PeerAuthentication and RequestAuthentication
 * beside them.
 */
class MaistraKindsTest {
  private static final Map<String, String> WEB = Map.of("app", "web");

  private static String rbacConfig(String namespace, String name, String spec) {
    return "apiVersion: rbac.maistra.io/v1\nkind: ServiceMeshRbacConfig\nmetadata: {name: "
        + name
        + ", namespace: "
        + namespace
        + "}\nspec: "
        + spec
        + "\n";
  }

  @Test
  void onEnforcesEverywhereWithAnAllowFilterThatAllowsNothing() {
    Authorization a = Mesh.of(rbacConfig("istio-system", "default", "{mode: \"ON\"}"));
    WorkloadAuthz w = a.workload(Mesh.workload("shop", WEB));
    assertThat(w.enforcedBy()).isEqualTo("istio-system/default");
    assertThat(w.rbac(false)).hasSize(1);
    RbacFilter allow = w.rbac(false).get(0);
    assertThat(allow.action()).isEqualTo(Action.ALLOW);
    assertThat(allow.rules().getPoliciesCount()).isZero();
    assertThat(w.rbac(true)).extracting(RbacFilter::action).containsExactly(Action.ALLOW);
  }

  @Test
  void inclusionAndExclusionChooseByNamespaceOrServiceHost() {
    Authorization inclusion =
        Mesh.of(
            rbacConfig(
                "istio-system",
                "default",
                "{mode: ON_WITH_INCLUSION, inclusion: {namespaces: [shop], services: [db.data.svc.cluster.local]}}"));
    assertThat(inclusion.workload(Mesh.workload("shop", WEB)).enforcedBy()).isNotEmpty();
    assertThat(
            inclusion
                .workload(Mesh.workload("data", WEB, "db.data.svc.cluster.local"))
                .enforcedBy())
        .isNotEmpty();
    assertThat(
            inclusion
                .workload(Mesh.workload("data", WEB, "cache.data.svc.cluster.local"))
                .enforcedBy())
        .isEmpty();

    Authorization exclusion =
        Mesh.of(
            rbacConfig(
                "istio-system",
                "default",
                "{mode: ON_WITH_EXCLUSION, exclusion: {namespaces: [shop]}}"));
    assertThat(exclusion.workload(Mesh.workload("shop", WEB)).rbac(false)).isEmpty();
    assertThat(exclusion.workload(Mesh.workload("data", WEB)).rbac(false)).hasSize(1);

    Authorization off = Mesh.of(rbacConfig("istio-system", "default", "{mode: \"OFF\"}"));
    assertThat(off.workload(Mesh.workload("shop", WEB)).rbac(false)).isEmpty();
  }

  @Test
  void permissiveEnforcementTurnsTheRulesIntoShadowRules() throws Exception {
    Authorization a =
        Mesh.of(
            rbacConfig("istio-system", "default", "{mode: \"ON\", enforcementMode: PERMISSIVE}")
                + """
                ---
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: deny, namespace: shop}
                spec: {action: DENY, rules: [{to: [{operation: {paths: [/x]}}]}]}
                """);
    WorkloadAuthz w = a.workload(Mesh.workload("shop", WEB));
    assertThat(w.shadow()).isTrue();
    RBAC deny = w.httpFilters(DataPlane.ENVOY).get(0).getTypedConfig().unpack(RBAC.class);
    assertThat(deny.hasRules()).isFalse();
    assertThat(deny.getShadowRules().getPoliciesMap())
        .containsOnlyKeys("ns[shop]-policy[deny]-rule[0]");
    assertThat(deny.getShadowRulesStatPrefix()).isEqualTo("istio_dry_run_deny_");
  }

  @Test
  void maistraKindsCountOnlyAsDefaultInTheControlPlaneNamespace() {
    Authorization a =
        Mesh.of(
            rbacConfig("shop", "default", "{mode: \"ON\"}")
                + "---\n"
                + rbacConfig("istio-system", "other", "{mode: \"ON\"}")
                + """
                ---
                apiVersion: authentication.maistra.io/v1
                kind: ServiceMeshPolicy
                metadata: {name: default, namespace: shop}
                spec: {peers: [{mtls: {}}]}
                """);
    assertThat(a.workload(Mesh.workload("shop", WEB)).rbac(false)).isEmpty();
    assertThat(a.mtls("shop", WEB, 8080)).isEqualTo(Mtls.DEFAULT);
    assertThat(a.warnings())
        .extracting(e -> e.message())
        .containsExactly(
            "mesh.yaml:11: ServiceMeshPolicy shop/default: metadata: ignored: only the"
                + " ServiceMeshPolicy named \"default\" in the control plane's namespace \"istio-system\" is honoured",
            "mesh.yaml:6: ServiceMeshRbacConfig istio-system/other: metadata: ignored: only the"
                + " ServiceMeshRbacConfig named \"default\" in the control plane's namespace \"istio-system\" is honoured",
            "mesh.yaml:1: ServiceMeshRbacConfig shop/default: metadata: ignored: only the"
                + " ServiceMeshRbacConfig named \"default\" in the control plane's namespace \"istio-system\" is honoured");
  }

  @Test
  void peerAuthenticationOverridesTheMeshPolicyByNamespaceWorkloadAndPort() {
    Authorization a =
        Mesh.of(
            """
            apiVersion: authentication.maistra.io/v1
            kind: ServiceMeshPolicy
            metadata: {name: default, namespace: istio-system}
            spec: {peers: [{mtls: {}}]}
            ---
            apiVersion: security.istio.io/v1
            kind: PeerAuthentication
            metadata: {name: ns, namespace: shop}
            spec: {mtls: {mode: PERMISSIVE}}
            ---
            apiVersion: security.istio.io/v1
            kind: PeerAuthentication
            metadata: {name: web, namespace: shop}
            spec:
              selector: {matchLabels: {app: web}}
              mtls: {mode: DISABLE}
              portLevelMtls: {"9090": {mode: STRICT}}
            ---
            apiVersion: security.istio.io/v1
            kind: PeerAuthentication
            metadata: {name: unset, namespace: shop}
            spec:
              selector: {matchLabels: {app: api}}
            """);
    assertThat(a.mtls("data", Map.of(), 80))
        .isEqualTo(new Mtls(MtlsMode.STRICT, "ServiceMeshPolicy istio-system/default"));
    assertThat(a.mtls("shop", Map.of(), 80))
        .isEqualTo(new Mtls(MtlsMode.PERMISSIVE, "PeerAuthentication shop/ns"));
    assertThat(a.mtls("shop", Map.of("app", "api"), 80))
        .isEqualTo(new Mtls(MtlsMode.PERMISSIVE, "PeerAuthentication shop/ns"));
    assertThat(a.mtls("shop", WEB, 80))
        .isEqualTo(new Mtls(MtlsMode.DISABLE, "PeerAuthentication shop/web"));
    assertThat(a.mtls("shop", WEB, 9090))
        .isEqualTo(new Mtls(MtlsMode.STRICT, "PeerAuthentication shop/web (port 9090)"));
    assertThat(Mesh.of("").mtls("shop", WEB, 80).explicit()).isFalse();
  }

  @Test
  void originsAndRequestAuthenticationsBecomeOneJwtFilter() throws Exception {
    Authorization a =
        Mesh.of(
            """
            apiVersion: authentication.maistra.io/v1
            kind: ServiceMeshPolicy
            metadata: {name: default, namespace: istio-system}
            spec:
              origins:
              - jwt: {issuer: https://mesh.example, jwksUri: "https://keys.example/jwks"}
            ---
            apiVersion: security.istio.io/v1
            kind: RequestAuthentication
            metadata: {name: web, namespace: shop}
            spec:
              selector: {matchLabels: {app: web}}
              jwtRules:
              - issuer: https://shop.example
                audiences: [web]
                jwks: '{"keys": []}'
                fromHeaders: [{name: x-token}]
            """,
            "web.shop.svc.cluster.local");
    WorkloadAuthz w = a.workload(Mesh.workload("shop", WEB));
    JwtAuthentication jwt =
        w.httpFilters(DataPlane.ENVOY).get(0).getTypedConfig().unpack(JwtAuthentication.class);
    assertThat(jwt.getProvidersMap()).containsOnlyKeys("origins-0", "origins-1");
    assertThat(jwt.getProvidersOrThrow("origins-0").getIssuer()).isEqualTo("https://shop.example");
    assertThat(jwt.getProvidersOrThrow("origins-0").getPayloadInMetadata()).isEqualTo("payload");
    assertThat(jwt.getProvidersOrThrow("origins-1").getRemoteJwks().getHttpUri().getCluster())
        .isEqualTo("outbound|443||keys.example");
    // The origin is not optional: a request without a token is refused.
    assertThat(jwt.getRules(0).getRequires().getRequiresAny().getRequirementsList())
        .noneMatch(r -> r.hasAllowMissing());
    assertThat(a.warnings())
        .extracting(e -> e.reason())
        .containsExactly(
            "the keys of issuer \"https://mesh.example\" are fetched through cluster outbound|443||keys.example,"
                + " but keys.example is not a service of the mesh: proxies cannot fetch them and refuse that"
                + " issuer's tokens; give the keys inline with jwks");
  }
}
