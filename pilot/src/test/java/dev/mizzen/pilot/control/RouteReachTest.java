package dev.mizzen.pilot.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mizzen.pilot.app.ControlPlane;
import dev.mizzen.pilot.cache.TypeUrls;
import dev.mizzen.testing.mesh.MeshYaml;
import dev.mizzen.testing.xds.AdsTestStream;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A push of VirtualServices alone regenerates the listeners and routes of the sidecar groups whose
 * scope holds a host they name or cover, and of routers only for those bound to a gateway; a
 * delegate's change reaches every group.
 */
class RouteReachTest {
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
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: billing, namespace: pay}
      spec:
        clusterIP: 10.96.0.30
        ports: [{name: http, port: 8080}]
      """;

  /** Each namespace's proxies reach their own namespace only, the usual multitenant shape. */
  private static final String OWN_NAMESPACE_ONLY =
      """
      apiVersion: networking.istio.io/v1
      kind: Sidecar
      metadata: {name: default, namespace: %s}
      spec:
        egress: [{hosts: ["./*"]}]
      """;

  private void start(boolean sidecars) throws Exception {
    Files.writeString(dir.resolve("mesh.yaml"), MESH);
    if (sidecars) {
      Files.writeString(dir.resolve("sidecar-shop.yaml"), OWN_NAMESPACE_ONLY.formatted("shop"));
      Files.writeString(dir.resolve("sidecar-pay.yaml"), OWN_NAMESPACE_ONLY.formatted("pay"));
    }
    cp = ControlPlane.start(ControlPlane.Options.forTest(dir, "istio-system"));
  }

  @AfterEach
  void stop() {
    if (cp != null) {
      cp.close();
    }
  }

  private static void subscribe(AdsTestStream s, Node node) throws InterruptedException {
    s.request(node, TypeUrls.CLUSTER, List.of(), "", "");
    s.request(null, TypeUrls.LISTENER, List.of(), "", "");
    s.request(null, TypeUrls.ROUTE, List.of("8080"), "", "");
    for (int i = 0; i < 3; i++) {
      DiscoveryResponse r = s.next();
      s.ack(r, r.getTypeUrl().equals(TypeUrls.ROUTE) ? List.of("8080") : List.of());
    }
  }

  /** The types of the responses that arrive within {@code millis}. */
  private static List<String> drain(AdsTestStream s, long millis) throws InterruptedException {
    List<String> types = new ArrayList<>();
    DiscoveryResponse r;
    while ((r = s.poll(millis)) != null) {
      types.add(TypeUrls.shortName(r.getTypeUrl()));
      s.ack(r, r.getTypeUrl().equals(TypeUrls.ROUTE) ? List.of("8080") : List.of());
    }
    return types;
  }

  /** Writes {@code yaml} as {@code file} and returns the push it caused. */
  private PushStatus write(String file, String yaml) throws Exception {
    long before = cp.pipeline().status().push().number();
    Files.writeString(dir.resolve(file), yaml);
    AdsTestStream.await(() -> cp.pipeline().status().push().number() > before);
    return cp.pipeline().status();
  }

  private static String virtualService(String namespace, String host, String timeout) {
    return virtualService(namespace, host, host, timeout);
  }

  private static String virtualService(
      String namespace, String host, String destination, String timeout) {
    return """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: vs, namespace: %s}
        spec:
          hosts: ["%s"]
          http:
          - route: [{destination: {host: "%s"}}]
            timeout: %s
        """
        .formatted(namespace, host, destination, timeout);
  }

  @Test
  void aVirtualServiceReachesOnlyTheGroupsThatSeeItsHosts() throws Exception {
    start(true);
    try (AdsTestStream shop = new AdsTestStream(cp.xdsPort());
        AdsTestStream pay = new AdsTestStream(cp.xdsPort())) {
      subscribe(shop, AdsTestStream.sidecar("web-1", "shop"));
      subscribe(pay, AdsTestStream.sidecar("billing-1", "pay"));

      // A host of shop's: shop's proxies only.
      PushStatus status =
          write("vs-shop.yaml", virtualService("shop", "web.shop.svc.cluster.local", "2s"));
      assertThat(status.generated()).isEqualTo(Map.of("listener", 1, "route", 1));
      assertThat(drain(shop, 1000)).containsExactly("route");
      assertThat(drain(pay, 300)).isEmpty();

      // Written in pay about shop's host: still shop's proxies only, pay's do not import it.
      status = write("vs-pay.yaml", virtualService("pay", "web.shop.svc.cluster.local", "3s"));
      assertThat(status.generated()).isEqualTo(Map.of("listener", 1, "route", 1));
      assertThat(drain(shop, 1000)).containsExactly("route");
      assertThat(drain(pay, 300)).isEmpty();

      // Moved to a wildcard over pay's hosts: it leaves shop's host and covers pay's, so both.
      status =
          write(
              "vs-pay.yaml",
              virtualService(
                  "pay", "*.pay.svc.cluster.local", "billing.pay.svc.cluster.local", "3s"));
      assertThat(status.generated()).isEqualTo(Map.of("listener", 2, "route", 2));
      assertThat(drain(shop, 1000)).containsExactly("route");
      assertThat(drain(pay, 1000)).containsExactly("route");

      // Changed again over pay's hosts alone: pay's proxies only.
      status =
          write(
              "vs-pay.yaml",
              virtualService(
                  "pay", "*.pay.svc.cluster.local", "billing.pay.svc.cluster.local", "4s"));
      assertThat(status.generated()).isEqualTo(Map.of("listener", 1, "route", 1));
      assertThat(drain(pay, 1000)).containsExactly("route");
      assertThat(drain(shop, 300)).isEmpty();

      // Bound to a gateway only: no sidecar at all.
      status =
          write(
              "vs-gw.yaml",
              """
              apiVersion: networking.istio.io/v1
              kind: VirtualService
              metadata: {name: gw, namespace: shop}
              spec:
                hosts: [web.example.com]
                gateways: [ingress]
                http:
                - route: [{destination: {host: web.shop.svc.cluster.local}}]
              """);
      assertThat(status.generated()).isEmpty();

      // A delegate names no host: its roots may be anywhere, so every group.
      status =
          write(
              "vs-delegate.yaml",
              """
              apiVersion: networking.istio.io/v1
              kind: VirtualService
              metadata: {name: delegate, namespace: shop}
              spec:
                http:
                - route: [{destination: {host: web.shop.svc.cluster.local}}]
              """);
      assertThat(status.generated()).isEqualTo(Map.of("listener", 2, "route", 2));
    }
  }

  @Test
  void withoutSidecarsEveryGroupSeesEveryHost() throws Exception {
    start(false);
    try (AdsTestStream shop = new AdsTestStream(cp.xdsPort());
        AdsTestStream pay = new AdsTestStream(cp.xdsPort())) {
      subscribe(shop, AdsTestStream.sidecar("web-1", "shop"));
      subscribe(pay, AdsTestStream.sidecar("billing-1", "pay"));
      PushStatus status =
          write("vs-shop.yaml", virtualService("shop", "web.shop.svc.cluster.local", "2s"));
      assertThat(status.generated()).isEqualTo(Map.of("listener", 2, "route", 2));
      assertThat(drain(shop, 1000)).containsExactly("route");
      assertThat(drain(pay, 1000)).containsExactly("route");
    }
  }
}
