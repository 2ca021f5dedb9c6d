package dev.mizzen.pilot.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.mizzen.pilot.app.ControlPlane;
import dev.mizzen.pilot.cache.TypeUrls;
import dev.mizzen.testing.mesh.MeshYaml;
import dev.mizzen.testing.xds.AdsTestStream;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A change regenerates only the types and proxy groups it can affect: an AuthorizationPolicy
 * regenerates listeners only, of its namespace's proxies; an Endpoints change clusters and
 * endpoints, never listeners or routes; a VirtualService listeners and routes, and clusters and
 * endpoints only when its routes name other destinations; a Gateway no sidecar at all.
 */
class IncrementalPushTest {
  @TempDir Path dir;
  private ControlPlane cp;

  private static final String MESH =
      MeshYaml.members("shop", "pay")
          + """
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: web, namespace: shop}
      spec:
        clusterIP: 10.96.0.20
        ports: [{name: http, port: 8080}]
      """;

  private static final String ENDPOINTS =
      """
      apiVersion: v1
      kind: Endpoints
      metadata: {name: web, namespace: shop}
      subsets:
      - addresses: [{ip: %s}]
        ports: [{name: http, port: 8080}]
      """;

  @BeforeEach
  void start() throws Exception {
    Files.writeString(dir.resolve("mesh.yaml"), MESH);
    Files.writeString(dir.resolve("endpoints.yaml"), ENDPOINTS.formatted("10.1.0.1"));
    cp = ControlPlane.start(ControlPlane.Options.forTest(dir, "istio-system"));
  }

  @AfterEach
  void stop() {
    cp.close();
  }

  /** Subscribes to every type and acknowledges the first answers; returns the last versions. */
  private static Map<String, String> subscribe(AdsTestStream s, Node node)
      throws InterruptedException {
    Map<String, String> versions = new HashMap<>();
    s.request(node, TypeUrls.CLUSTER, List.of(), "", "");
    s.request(null, TypeUrls.LISTENER, List.of(), "", "");
    s.request(
        null, TypeUrls.ENDPOINT, List.of("outbound|8080||web.shop.svc.cluster.local"), "", "");
    s.request(null, TypeUrls.ROUTE, List.of("8080"), "", "");
    for (int i = 0; i < 4; i++) {
      DiscoveryResponse r = s.next();
      versions.put(r.getTypeUrl(), r.getVersionInfo());
      s.ack(
          r,
          r.getTypeUrl().equals(TypeUrls.ENDPOINT)
              ? List.of("outbound|8080||web.shop.svc.cluster.local")
              : r.getTypeUrl().equals(TypeUrls.ROUTE) ? List.of("8080") : List.of());
    }
    return versions;
  }

  private PushStatus awaitPushAfter(long number) throws InterruptedException {
    AdsTestStream.await(() -> cp.pipeline().status().push().number() > number);
    return cp.pipeline().status();
  }

  /** The types of the responses that arrive within {@code millis}. */
  private static List<String> drain(AdsTestStream s, long millis) throws InterruptedException {
    List<String> types = new ArrayList<>();
    DiscoveryResponse r;
    while ((r = s.poll(millis)) != null) {
      types.add(TypeUrls.shortName(r.getTypeUrl()));
      s.ack(
          r,
          r.getTypeUrl().equals(TypeUrls.ENDPOINT)
              ? List.of("outbound|8080||web.shop.svc.cluster.local")
              : r.getTypeUrl().equals(TypeUrls.ROUTE) ? List.of("8080") : List.of());
    }
    return types;
  }

  @Test
  void aChangeRegeneratesOnlyWhatItCanAffect() throws Exception {
    try (AdsTestStream shop = new AdsTestStream(cp.xdsPort());
        AdsTestStream pay = new AdsTestStream(cp.xdsPort())) {
      subscribe(shop, AdsTestStream.sidecar("web-1", "shop"));
      subscribe(pay, AdsTestStream.sidecar("billing-1", "pay"));
      long before = cp.pipeline().status().push().number();

      // An AuthorizationPolicy in shop: listeners of shop's proxies only.
      Files.writeString(
          dir.resolve("policy.yaml"),
          """
          apiVersion: security.istio.io/v1
          kind: AuthorizationPolicy
          metadata: {name: deny-all, namespace: shop}
          spec: {}
          """);
      PushStatus status = awaitPushAfter(before);
      assertThat(status.generated()).isEqualTo(Map.of("listener", 1));
      assertThat(drain(shop, 1000)).containsExactly("listener");
      assertThat(drain(pay, 300)).isEmpty();

      // New endpoints: clusters and endpoints of every proxy, no listener and no route.
      before = status.push().number();
      Files.writeString(dir.resolve("endpoints.yaml"), ENDPOINTS.formatted("10.1.0.2"));
      status = awaitPushAfter(before);
      assertThat(status.generated()).isEqualTo(Map.of("cluster", 2, "endpoint", 2));
      assertThat(drain(shop, 1000)).containsExactly("endpoint");
      assertThat(drain(pay, 300)).containsExactly("endpoint");

      // A Gateway concerns routers only: no sidecar group is regenerated.
      before = status.push().number();
      Files.writeString(
          dir.resolve("gateway.yaml"),
          """
          apiVersion: networking.istio.io/v1
          kind: Gateway
          metadata: {name: gw, namespace: shop}
          spec:
            selector: {istio: ingressgateway}
            servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
          """);
      status = awaitPushAfter(before);
      assertThat(status.generated()).isEmpty();
      assertThat(drain(shop, 500)).isEmpty();

      // A VirtualService that routes among known destinations: listeners and routes, and only
      // the routes change.
      before = status.push().number();
      Files.writeString(
          dir.resolve("vs.yaml"),
          """
          apiVersion: networking.istio.io/v1
          kind: VirtualService
          metadata: {name: web, namespace: shop}
          spec:
            hosts: [web.shop.svc.cluster.local]
            http:
            - match: [{headers: {x-canary: {exact: "true"}}}]
              route: [{destination: {host: web.shop.svc.cluster.local}}]
              timeout: 3s
            - route: [{destination: {host: web.shop.svc.cluster.local}}]
          """);
      status = awaitPushAfter(before);
      assertThat(status.generated()).isEqualTo(Map.of("listener", 2, "route", 2));
      assertThat(drain(shop, 1000)).containsExactly("route");
      assertThat(drain(pay, 300)).containsExactly("route");

      // One that names a host no service provides: its empty cluster joins clusters and
      // endpoints, so those are regenerated too.
      before = status.push().number();
      Files.writeString(
          dir.resolve("vs.yaml"),
          """
          apiVersion: networking.istio.io/v1
          kind: VirtualService
          metadata: {name: web, namespace: shop}
          spec:
            hosts: [web.shop.svc.cluster.local]
            http:
            - match: [{headers: {x-canary: {exact: "true"}}}]
              route: [{destination: {host: nowhere.shop.svc.cluster.local}}]
            - route: [{destination: {host: web.shop.svc.cluster.local}}]
          """);
      status = awaitPushAfter(before);
      assertThat(status.generated())
          .isEqualTo(Map.of("cluster", 2, "endpoint", 2, "listener", 2, "route", 2));
      assertThat(drain(shop, 1000)).contains("cluster", "route");

      // And when no route names it any more, the empty cluster goes.
      before = status.push().number();
      Files.delete(dir.resolve("vs.yaml"));
      status = awaitPushAfter(before);
      assertThat(status.generated())
          .isEqualTo(Map.of("cluster", 2, "endpoint", 2, "listener", 2, "route", 2));
      assertThat(drain(shop, 1000)).contains("cluster", "route");

      // A Service is everything, for everyone.
      before = status.push().number();
      Files.writeString(
          dir.resolve("api.yaml"),
          """
          apiVersion: v1
          kind: Service
          metadata: {name: api, namespace: pay}
          spec:
            clusterIP: 10.96.0.30
            ports: [{name: http, port: 9090}]
          """);
      status = awaitPushAfter(before);
      assertThat(status.generated())
          .isEqualTo(Map.of("cluster", 2, "endpoint", 2, "listener", 2, "route", 2));
    }
  }

  @Test
  void aProxyWhoseShapeChangesIsSentItsNewGroupsConfig() throws Exception {
    Struct labels =
        Struct.newBuilder()
            .putFields("app", Value.newBuilder().setStringValue("web").build())
            .build();
    Node node =
        AdsTestStream.sidecar("web-1", "shop").toBuilder()
            .setMetadata(
                AdsTestStream.sidecar("web-1", "shop").getMetadata().toBuilder()
                    .putFields("LABELS", Value.newBuilder().setStructValue(labels).build()))
            .build();
    try (AdsTestStream shop = new AdsTestStream(cp.xdsPort())) {
      subscribe(shop, node);
      long before = cp.pipeline().status().push().number();
      // The selector names "app": the proxy's shape now includes its app label, so it moves to a
      // group of its own, built whole, whose listeners it must be sent.
      Files.writeString(
          dir.resolve("policy.yaml"),
          """
          apiVersion: security.istio.io/v1
          kind: AuthorizationPolicy
          metadata: {name: web-only, namespace: shop}
          spec:
            selector: {matchLabels: {app: web}}
            rules: [{from: [{source: {namespaces: [shop]}}]}]
          """);
      PushStatus status = awaitPushAfter(before);
      assertThat(status.generated()).containsEntry("listener", 1);
      assertThat(drain(shop, 1000)).contains("listener");
    }
  }
}
