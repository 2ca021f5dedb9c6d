package dev.mizzen.pilot.push;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mizzen.ingest.model.ConfigError;
import dev.mizzen.ingest.model.StringMatch;
import dev.mizzen.ingest.model.VirtualServiceSpec.HeaderMatch;
import dev.mizzen.ingest.model.VirtualServiceSpec.HttpMatch;
import dev.mizzen.ingest.model.VirtualServiceSpec.HttpRoute;
import dev.mizzen.testing.mesh.MeshYaml;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Delegate VirtualServices merged into their roots' routes, as Istio merges them. */
class DelegationTest {
  private static final String MEMBERS = MeshYaml.members("shop", "pay");

  private static String vs(String namespace, String name, String spec) {
    return """
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: %s, namespace: %s}
        spec:
        """
            .formatted(name, namespace)
        + spec.stripIndent().indent(2);
  }

  private static final String ROOT =
      vs(
          "shop",
          "web",
          """
          hosts: [web]
          http:
          - name: api
            match: [{uri: {prefix: /api}}]
            delegate: {name: api}
            timeout: 5s
          - route: [{destination: {host: web}}]
          """);

  private static List<HttpRoute> routes(PushContext push) {
    return push.virtualServices()
        .forMeshHost("web.shop.svc.cluster.local", "shop")
        .get(0)
        .spec()
        .http();
  }

  /** The warnings of delegation (the push's others say which hosts have no service). */
  private static List<String> warnings(PushContext push) {
    return push.warnings().stream()
        .filter(e -> e.field().endsWith(".delegate") || e.field().endsWith(".match"))
        .map(ConfigError::message)
        .toList();
  }

  private static String uri(HttpRoute r) {
    StringMatch m = r.matches().get(0).uri();
    return m.type() + " " + m.value();
  }

  @Test
  void aDelegatesRoutesTakeThePlaceOfTheRouteNamingIt() {
    PushContext push =
        Pushes.of(
            MEMBERS
                + ROOT
                + vs(
                    "shop",
                    "api",
                    """
                    http:
                    - name: v1
                      match: [{uri: {prefix: /api/v1}}]
                      route: [{destination: {host: api-v1}}]
                      timeout: 1s
                    - route: [{destination: {host: api}}]
                    """));
    List<HttpRoute> http = routes(push);
    assertThat(http).hasSize(3);
    assertThat(http.get(0).name()).isEqualTo("api-v1");
    assertThat(uri(http.get(0))).isEqualTo("PREFIX /api/v1");
    assertThat(http.get(0).route().get(0).host()).isEqualTo("api-v1.shop.svc.cluster.local");
    assertThat(http.get(0).timeout()).isEqualTo(Duration.ofSeconds(1));
    // A delegate route without matches takes the root's, and what it leaves unset.
    assertThat(http.get(1).name()).isEqualTo("api");
    assertThat(uri(http.get(1))).isEqualTo("PREFIX /api");
    assertThat(http.get(1).route().get(0).host()).isEqualTo("api.shop.svc.cluster.local");
    assertThat(http.get(1).timeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(http).allSatisfy(r -> assertThat(r.delegate()).isNull());
    assertThat(http.get(2).route().get(0).host()).isEqualTo("web.shop.svc.cluster.local");
    assertThat(warnings(push)).isEmpty();
    // The delegate itself routes nothing on its own.
    assertThat(push.virtualServices().all()).extracting(c -> c.name()).containsExactly("web");
  }

  @Test
  void matchesOfRootAndDelegateAreMergedAndADelegateMatchOutsideTheRootsIsLeftOut() {
    PushContext push =
        Pushes.of(
            MEMBERS
                + vs(
                    "shop",
                    "web",
                    """
                    hosts: [web]
                    http:
                    - match:
                      - {uri: {prefix: /api}, headers: {x-tenant: {exact: a}}}
                      - {uri: {prefix: /v2}}
                      delegate: {name: api}
                    """)
                + vs(
                    "shop",
                    "api",
                    """
                    http:
                    - match: [{uri: {exact: /api/users}, headers: {x-debug: {exact: "1"}}}]
                      route: [{destination: {host: users}}]
                    - match: [{uri: {prefix: /other}}]
                      route: [{destination: {host: other}}]
                    - match: [{headers: {x-tenant: {exact: b}}}]
                      route: [{destination: {host: tenant-b}}]
                    """));
    List<HttpRoute> http = routes(push);
    // /api/users lies within /api only; /other within neither; x-tenant b only with /v2.
    assertThat(http).hasSize(2);
    List<HttpMatch> users = http.get(0).matches();
    assertThat(users).hasSize(1);
    assertThat(users.get(0).uri())
        .extracting(StringMatch::type, StringMatch::value)
        .containsExactly(StringMatch.Type.EXACT, "/api/users");
    assertThat(users.get(0).headers())
        .extracting(HeaderMatch::name)
        .containsExactly("x-tenant", "x-debug");
    assertThat(http.get(1).route().get(0).host()).isEqualTo("tenant-b.shop.svc.cluster.local");
    assertThat(http.get(1).matches()).hasSize(1);
    assertThat(uri(http.get(1))).isEqualTo("PREFIX /v2");
    assertThat(warnings(push))
        .containsExactly(
            "mesh.yaml:25: VirtualService shop/api: spec.http[1].match: conflicts with the matches"
                + " of the route of VirtualService shop/web delegating to it; this route is left"
                + " out there");
  }

  @Test
  void aMissingDelegateLeavesItsRouteOutAndTheOthersIn() {
    PushContext push = Pushes.of(MEMBERS + ROOT);
    assertThat(routes(push))
        .singleElement()
        .satisfies(
            r -> assertThat(r.route().get(0).host()).isEqualTo("web.shop.svc.cluster.local"));
    assertThat(warnings(push))
        .containsExactly(
            "mesh.yaml:14: VirtualService shop/web: spec.http[0].delegate: delegate VirtualService"
                + " shop/api not found; this route is left out");
  }

  @Test
  void aDelegateInAnotherNamespaceIsUsedWhereItIsExportedOnly() {
    String root =
        vs(
            "shop",
            "web",
            """
            hosts: [web]
            http: [{delegate: {name: api, namespace: pay}}]
            """);
    String exported =
        vs(
            "pay",
            "api",
            """
            exportTo: [shop]
            http: [{route: [{destination: {host: api}}]}]
            """);
    assertThat(routes(Pushes.of(MEMBERS + root + exported)))
        .singleElement()
        .satisfies(r -> assertThat(r.route().get(0).host()).isEqualTo("api.pay.svc.cluster.local"));

    PushContext hidden = Pushes.of(MEMBERS + root + exported.replace("[shop]", "[\".\"]"));
    assertThat(routes(hidden)).isEmpty();
    assertThat(warnings(hidden))
        .containsExactly(
            "mesh.yaml:14: VirtualService shop/web: spec.http[0].delegate: delegate VirtualService"
                + " pay/api is not exported to namespace shop; this route is left out");
  }

  @Test
  void aDelegateThatDelegatesAgainIsRefusedSoItsRootFindsNone() {
    PushContext push =
        Pushes.accepting(
            MEMBERS
                + ROOT
                + vs(
                    "shop",
                    "api",
                    """
                    http: [{delegate: {name: deeper}}]
                    """)
                + vs(
                    "shop",
                    "deeper",
                    """
                    http: [{route: [{destination: {host: deep}}]}]
                    """));
    assertThat(push.config().errors())
        .extracting(ConfigError::message)
        .singleElement()
        .asString()
        .contains("VirtualService shop/api: spec.http[0].delegate")
        .endsWith("a delegate VirtualService cannot delegate again");
    assertThat(routes(push)).hasSize(1);
    assertThat(warnings(push))
        .containsExactly(
            "mesh.yaml:14: VirtualService shop/web: spec.http[0].delegate: delegate VirtualService"
                + " shop/api not found; this route is left out");
  }

  @Test
  void rootsSharingADelegateEachGetItsRoutesWithinTheirOwnMatches() {
    PushContext push =
        Pushes.of(
            MEMBERS
                + ROOT
                + vs(
                    "shop",
                    "admin",
                    """
                    hosts: [admin]
                    http: [{match: [{uri: {prefix: /api/admin}}], delegate: {name: api}}]
                    """)
                + vs(
                    "shop",
                    "api",
                    """
                    http: [{route: [{destination: {host: api}}]}]
                    """));
    assertThat(uri(routes(push).get(0))).isEqualTo("PREFIX /api");
    HttpRoute admin =
        push.virtualServices()
            .forMeshHost("admin.shop.svc.cluster.local", "shop")
            .get(0)
            .spec()
            .http()
            .get(0);
    assertThat(uri(admin)).isEqualTo("PREFIX /api/admin");
    assertThat(admin.route().get(0).host()).isEqualTo("api.shop.svc.cluster.local");
  }
}
