package dev.mizzen.pilot.push;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.VirtualServiceSpec;
import dev.mizzen.testing.mesh.MeshYaml;
import java.util.List;
import org.junit.jupiter.api.Test;

/** VirtualServices as a push indexes them: by host for sidecars, by gateway for routers. */
class VirtualServicesTest {
  private static final String MEMBERS =
      MeshYaml.members("shop", "pay")
          + """
          ---
          apiVersion: v1
          kind: Service
          metadata: {name: web, namespace: shop}
          spec: {ports: [{name: http, port: 8080}]}
          """;

  private static String vs(String namespace, String name, String created, String spec) {
    return """
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: %s, namespace: %s, creationTimestamp: "%s"}
        spec:
        """
            .formatted(name, namespace, created)
        + spec.stripIndent().indent(2);
  }

  private static List<String> names(List<Config<VirtualServiceSpec>> found) {
    return found.stream().map(c -> c.namespace() + "/" + c.name()).toList();
  }

  @Test
  void theOldestVirtualServiceForAHostComesFirst() {
    PushContext push =
        Pushes.of(
            MEMBERS
                + vs(
                    "shop",
                    "newer",
                    "2024-02-01T00:00:00Z",
                    "{hosts: [web], http: [{route: [{destination: {host: web}}]}]}")
                + vs(
                    "pay",
                    "older",
                    "2024-01-01T00:00:00Z",
                    "{hosts: [web.shop.svc.cluster.local], http: [{route: [{destination: {host: web.shop.svc.cluster.local}}]}]}"));
    assertThat(names(push.virtualServices().forMeshHost("web.shop.svc.cluster.local", "shop")))
        .containsExactly("pay/older", "shop/newer");
    assertThat(names(push.virtualServices().all())).containsExactly("pay/older", "shop/newer");
  }

  @Test
  void exactHostsComeBeforeWildcardsAndTheNarrowestWildcardFirst() {
    PushContext push =
        Pushes.of(
            MEMBERS
                + vs(
                    "shop",
                    "wide",
                    "2024-01-01T00:00:00Z",
                    "{hosts: [\"*.com\"], http: [{route: [{destination: {host: web}}]}]}")
                + vs(
                    "shop",
                    "narrow",
                    "2024-01-02T00:00:00Z",
                    "{hosts: [\"*.example.com\"], http: [{route: [{destination: {host: web}}]}]}")
                + vs(
                    "shop",
                    "exact",
                    "2024-01-03T00:00:00Z",
                    "{hosts: [api.example.com], http: [{route: [{destination: {host: web}}]}]}"));
    assertThat(names(push.virtualServices().forMeshHost("api.example.com", "shop")))
        .containsExactly("shop/exact", "shop/narrow", "shop/wide");
    assertThat(names(push.virtualServices().forMeshHost("db.example.com", "shop")))
        .containsExactly("shop/narrow", "shop/wide");
    // "*.example.com" does not cover example.com itself.
    assertThat(names(push.virtualServices().forMeshHost("example.com", "shop")))
        .containsExactly("shop/wide");
    assertThat(push.virtualServices().forMeshHost("example.org", "shop")).isEmpty();
  }

  @Test
  void aVirtualServiceBoundToGatewaysOnlyIsNotTheMeshs() {
    PushContext push =
        Pushes.of(
            MEMBERS
                + vs(
                    "shop",
                    "edge",
                    "2024-01-01T00:00:00Z",
                    "{hosts: [shop.example.com], gateways: [edge, pay/other],"
                        + " http: [{route: [{destination: {host: web}}]}]}")
                + vs(
                    "shop",
                    "both",
                    "2024-01-02T00:00:00Z",
                    "{hosts: [web], gateways: [mesh, edge],"
                        + " http: [{route: [{destination: {host: web}}]}]}"));
    assertThat(names(push.virtualServices().forGateway("shop/edge")))
        .containsExactly("shop/edge", "shop/both");
    assertThat(names(push.virtualServices().forGateway("pay/other"))).containsExactly("shop/edge");
    assertThat(push.virtualServices().forGateway("edge")).isEmpty();
    assertThat(push.virtualServices().forMeshHost("shop.example.com", "shop")).isEmpty();
    assertThat(names(push.virtualServices().forMeshHost("web.shop.svc.cluster.local", "shop")))
        .containsExactly("shop/both");
  }

  @Test
  void namesInsideAreMadeAbsolute() {
    PushContext push =
        Pushes.of(
            MEMBERS
                + vs(
                    "shop",
                    "web",
                    "2024-01-01T00:00:00Z",
                    """
                    hosts: [web]
                    gateways: [mesh, edge]
                    http:
                    - match: [{gateways: [edge], uri: {prefix: /x}}]
                      route: [{destination: {host: web}}]
                      mirror: {host: web-shadow}
                    - route: [{destination: {host: web.pay}}]
                    """));
    VirtualServiceSpec spec = push.virtualServices().all().get(0).spec();
    assertThat(spec.gateways()).containsExactly("mesh", "shop/edge");
    assertThat(spec.http().get(0).matches().get(0).gateways()).containsExactly("shop/edge");
    assertThat(spec.http().get(0).route().get(0).host()).isEqualTo("web.shop.svc.cluster.local");
    assertThat(spec.http().get(0).mirrors().get(0).host())
        .isEqualTo("web-shadow.shop.svc.cluster.local");
    // A name with a dot is taken as written, as Istio takes it.
    assertThat(spec.http().get(1).route().get(0).host()).isEqualTo("web.pay");
  }

  @Test
  void withoutGatewaysAVirtualServiceIsBoundToTheMesh() {
    VirtualServiceSpec spec =
        Pushes.of(
                MEMBERS
                    + vs(
                        "shop",
                        "web",
                        "2024-01-01T00:00:00Z",
                        "{hosts: [web], http: [{route: [{destination: {host: web}}]}]}"))
            .virtualServices()
            .all()
            .get(0)
            .spec();
    assertThat(VirtualServices.gateways(spec)).containsExactly(VirtualServiceSpec.MESH);
  }
}
