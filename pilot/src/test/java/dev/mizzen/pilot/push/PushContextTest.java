package dev.mizzen.pilot.push;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.VirtualServiceSpec;
import dev.mizzen.testing.mesh.MeshYaml;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which services a push knows, by host, and which a proxy of each namespace may see. */
class PushContextTest {
  private static final String MEMBERS = MeshYaml.members("shop", "pay", "stock");

  private static String service(String namespace, String name, String exportTo) {
    String annotations =
        exportTo == null
            ? ""
            : ", annotations: {networking.istio.io/exportTo: \"" + exportTo + "\"}";
    return """
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: %s, namespace: %s%s}
        spec: {ports: [{name: http, port: 8080}]}
        """
        .formatted(name, namespace, annotations);
  }

  private static MeshService web(PushContext push) {
    return push.service("web.shop.svc.cluster.local").orElseThrow();
  }

  @Test
  void aServiceWithoutExportToIsSeenFromEveryNamespace() {
    PushContext push = Pushes.of(MEMBERS + service("shop", "web", null));
    assertThat(List.of("shop", "pay", "stock"))
        .allSatisfy(ns -> assertThat(PushContext.visible(web(push), ns)).as(ns).isTrue());
  }

  @Test
  void exportToDotKeepsAServiceInItsOwnNamespace() {
    PushContext push = Pushes.of(MEMBERS + service("shop", "web", "."));
    assertThat(PushContext.visible(web(push), "shop")).isTrue();
    assertThat(PushContext.visible(web(push), "pay")).isFalse();
    assertThat(PushContext.visible(web(push), "stock")).isFalse();
  }

  @Test
  void exportToStarShowsAServiceEverywhere() {
    PushContext push = Pushes.of(MEMBERS + service("shop", "web", "*"));
    assertThat(PushContext.visible(web(push), "pay")).isTrue();
    assertThat(PushContext.visible(web(push), "shop")).isTrue();
  }

  @Test
  void exportToNamedNamespacesShowsAServiceThereOnlyNotEvenInItsOwn() {
    PushContext push = Pushes.of(MEMBERS + service("shop", "web", "pay"));
    assertThat(PushContext.visible(web(push), "pay")).isTrue();
    assertThat(PushContext.visible(web(push), "stock")).isFalse();
    // As Istio: a list of namespaces names the service's own only with "." or its name.
    assertThat(PushContext.visible(web(push), "shop")).isFalse();
  }

  @Test
  void exportToDotAndANamespaceShowsAServiceInBoth() {
    PushContext push = Pushes.of(MEMBERS + service("shop", "web", "., stock"));
    assertThat(PushContext.visible(web(push), "shop")).isTrue();
    assertThat(PushContext.visible(web(push), "stock")).isTrue();
    assertThat(PushContext.visible(web(push), "pay")).isFalse();
  }

  @Test
  void exportToOfAServiceEntryIsItsOwnField() {
    PushContext push =
        Pushes.of(
            MEMBERS
                + """
                ---
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: api, namespace: pay}
                spec:
                  hosts: [api.example.com]
                  exportTo: ["."]
                  location: MESH_EXTERNAL
                  resolution: DNS
                  ports: [{number: 443, name: tls, protocol: TLS}]
                """);
    MeshService api = push.service("api.example.com").orElseThrow();
    assertThat(api.namespace()).isEqualTo("pay");
    assertThat(PushContext.visible(api, "pay")).isTrue();
    assertThat(PushContext.visible(api, "shop")).isFalse();
  }

  @Test
  void servicesAreFoundByTheirFullyQualifiedHostOnly() {
    PushContext push = Pushes.of(MEMBERS + service("shop", "web", null));
    assertThat(push.service("web.shop.svc.cluster.local"))
        .hasValueSatisfying(
            s -> {
              assertThat(s.name()).isEqualTo("web");
              assertThat(s.namespace()).isEqualTo("shop");
              assertThat(s.port(8080)).isPresent();
            });
    assertThat(push.service("web")).isEmpty();
    assertThat(push.service("web.shop")).isEmpty();
    assertThat(push.service("web.pay.svc.cluster.local")).isEmpty();
  }

  @Test
  void servicesOutsideTheMembersAreNotInThePush() {
    PushContext push =
        Pushes.of(
            MEMBERS
                + """
                ---
                apiVersion: v1
                kind: Namespace
                metadata: {name: outsider}
                """
                + service("outsider", "web", null)
                + service("shop", "web", null));
    assertThat(push.services())
        .extracting(MeshService::hostname)
        .containsExactly("web.shop.svc.cluster.local");
    assertThat(push.service("web.outsider.svc.cluster.local")).isEmpty();
  }

  @Test
  void aVirtualServiceIsSeenOnlyWhereItIsExported() {
    PushContext push =
        Pushes.of(
            MEMBERS
                + service("shop", "web", null)
                + """
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: web, namespace: shop}
                spec:
                  hosts: [web]
                  exportTo: [".", stock]
                  http: [{route: [{destination: {host: web}}]}]
                """);
    String host = "web.shop.svc.cluster.local";
    assertThat(names(push.virtualServices().forMeshHost(host, "shop"))).containsExactly("shop/web");
    assertThat(names(push.virtualServices().forMeshHost(host, "stock")))
        .containsExactly("shop/web");
    assertThat(push.virtualServices().forMeshHost(host, "pay")).isEmpty();
  }

  @Test
  void aShortHostOfAVirtualServiceIsAServiceOfItsOwnNamespace() {
    PushContext push =
        Pushes.of(
            MEMBERS
                + service("shop", "web", null)
                + service("pay", "web", null)
                + """
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: web, namespace: pay}
                spec:
                  hosts: [web]
                  http: [{route: [{destination: {host: web}}]}]
                """);
    assertThat(push.virtualServices().forMeshHost("web.shop.svc.cluster.local", "shop")).isEmpty();
    List<Config<VirtualServiceSpec>> found =
        push.virtualServices().forMeshHost("web.pay.svc.cluster.local", "shop");
    assertThat(names(found)).containsExactly("pay/web");
    assertThat(found.get(0).spec().http().get(0).route().get(0).host())
        .isEqualTo("web.pay.svc.cluster.local");
  }

  private static List<String> names(List<Config<VirtualServiceSpec>> found) {
    return found.stream().map(c -> c.namespace() + "/" + c.name()).toList();
  }
}
