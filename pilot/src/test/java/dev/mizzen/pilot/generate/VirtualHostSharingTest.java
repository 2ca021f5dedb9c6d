package dev.mizzen.pilot.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mizzen.ingest.parse.ManifestParser;
import dev.mizzen.ingest.store.ConfigSnapshot;
import dev.mizzen.ingest.store.ConfigStore;
import dev.mizzen.pilot.cache.ProxyResources;
import dev.mizzen.pilot.cache.TypeUrls;
import dev.mizzen.pilot.proxy.Proxy;
import dev.mizzen.pilot.push.MeshSettings;
import dev.mizzen.pilot.push.PushContext;
import dev.mizzen.tenancy.MemberRollResolver;
import dev.mizzen.tenancy.Membership;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Groups that see a service alike share one virtual host per push; whatever the routes depend on
 * that differs between them (their own namespace's short name, a DestinationRule only they see, a
 * match on the source) gives them their own.
 */
class VirtualHostSharingTest {
  private static final String MESH =
      """
      apiVersion: v1
      kind: Namespace
      metadata: {name: a}
      ---
      apiVersion: v1
      kind: Namespace
      metadata: {name: b}
      ---
      apiVersion: v1
      kind: Namespace
      metadata: {name: c}
      ---
      apiVersion: v1
      kind: Namespace
      metadata: {name: d}
      ---
      apiVersion: maistra.io/v1
      kind: ServiceMeshMemberRoll
      metadata: {name: default, namespace: istio-system}
      spec: {members: [a, b, c, d]}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: api, namespace: c}
      spec:
        clusterIP: 10.96.0.30
        ports: [{name: http, port: 8080}]
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: web, namespace: c}
      spec:
        clusterIP: 10.96.0.31
        ports: [{name: http, port: 8080}]
      ---
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: api-sticky, namespace: a}
      spec:
        host: api.c.svc.cluster.local
        exportTo: ["."]
        trafficPolicy: {loadBalancer: {consistentHash: {httpHeaderName: x-user}}}
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: web, namespace: c}
      spec:
        hosts: [web.c.svc.cluster.local]
        http:
        - match: [{sourceNamespace: d}]
          route: [{destination: {host: api.c.svc.cluster.local}}]
        - route: [{destination: {host: web.c.svc.cluster.local}}]
      """;

  private static final String ORDERS =
      """
      apiVersion: v1
      kind: Service
      metadata: {name: orders, namespace: c}
      spec:
        clusterIP: 10.96.0.32
        ports: [{name: http, port: 8080}]
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: orders, namespace: c}
      spec:
        hosts: [orders.c.svc.cluster.local]
        http:
        - match: [{headers: {x-batch: {exact: "1"}}}]
          route: [{destination: {host: orders.c.svc.cluster.local}}]
          retries: {attempts: 5, retryOn: 5xx}
        - route: [{destination: {host: orders.c.svc.cluster.local}}]
      """;

  private static ConfigGenerator generator(String... files) throws Exception {
    ConfigStore store = new ConfigStore();
    for (int i = 0; i < files.length; i++) {
      store.replace(
          "mesh-" + i + ".yaml", new ManifestParser().parse("mesh-" + i + ".yaml", files[i]));
    }
    ConfigSnapshot all = store.snapshot();
    Membership membership = new MemberRollResolver("istio-system", "default").resolve(all);
    return new ConfigGenerator(
        PushContext.build(
            1,
            Instant.EPOCH,
            all.restrictTo(membership::isMember),
            MeshSettings.defaults("istio-system")));
  }

  private static VirtualHost host(ConfigGenerator g, String viewer, String name) {
    ProxyResources r = g.generate(new GroupKey(Proxy.Generator.ENVOY, Proxy.Type.SIDECAR, viewer));
    RouteConfiguration rc = (RouteConfiguration) r.of(TypeUrls.ROUTE).get("8080");
    return rc.getVirtualHostsList().stream()
        .filter(v -> v.getName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void groupsThatSeeAServiceAlikeShareItsVirtualHost() throws Exception {
    ConfigGenerator g = generator(MESH);
    String api = "api.c.svc.cluster.local:8080";
    String web = "web.c.svc.cluster.local:8080";

    // b and d see api alike: one object.
    assertThat(host(g, "b", api)).isSameAs(host(g, "d", api));
    // a sees its own DestinationRule: the route hashes on x-user there only.
    assertThat(host(g, "a", api)).isNotSameAs(host(g, "b", api));
    assertThat(host(g, "a", api).getRoutes(0).getRoute().getHashPolicyCount()).isEqualTo(1);
    assertThat(host(g, "b", api).getRoutes(0).getRoute().getHashPolicyCount()).isZero();
    // c, the service's namespace, may call it by its bare name.
    assertThat(host(g, "c", api).getDomainsList()).contains("api");
    assertThat(host(g, "b", api).getDomainsList()).doesNotContain("api");

    // web's routes match on the source namespace: d gets the extra route, b does not. a and b
    // end up alike, but a key that names the viewer keeps them apart rather than guess.
    assertThat(host(g, "d", web).getRoutesCount()).isEqualTo(2);
    assertThat(host(g, "b", web).getRoutesCount()).isEqualTo(1);
    assertThat(host(g, "a", web)).isEqualTo(host(g, "b", web)).isNotSameAs(host(g, "b", web));
  }

  @Test
  void aRetryPolicyEveryRouteSharesIsWrittenOnceOnTheVirtualHost() throws Exception {
    ConfigGenerator g = generator(MESH, ORDERS);

    // web's two routes both carry Istio's default retries: the virtual host carries them once.
    VirtualHost web = host(g, "d", "web.c.svc.cluster.local:8080");
    assertThat(web.getRoutesCount()).isEqualTo(2);
    assertThat(web.hasRetryPolicy()).isTrue();
    assertThat(web.getRetryPolicy().getNumRetries().getValue()).isEqualTo(2);
    assertThat(web.getRoutesList()).noneMatch(r -> r.getRoute().hasRetryPolicy());

    // orders' routes retry differently: each keeps its own, the virtual host has none.
    VirtualHost orders = host(g, "b", "orders.c.svc.cluster.local:8080");
    assertThat(orders.hasRetryPolicy()).isFalse();
    assertThat(orders.getRoutes(0).getRoute().getRetryPolicy().getNumRetries().getValue())
        .isEqualTo(5);
    assertThat(orders.getRoutes(1).getRoute().getRetryPolicy().getNumRetries().getValue())
        .isEqualTo(2);

    // A single route keeps its policy where Istio writes it.
    VirtualHost api = host(g, "b", "api.c.svc.cluster.local:8080");
    assertThat(api.hasRetryPolicy()).isFalse();
    assertThat(api.getRoutes(0).getRoute().hasRetryPolicy()).isTrue();
  }
}
