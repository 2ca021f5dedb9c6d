package dev.mizzen.pilot.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import dev.mizzen.pilot.app.ControlPlane;
import dev.mizzen.pilot.cache.TypeUrls;
import dev.mizzen.testing.xds.AdsTestStream;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A namespace-scoped Sidecar resource shrinks what its namespace's proxies are sent to their own
 * namespace's services (and those it lists), over a raw state-of-the-world stream; proxies of other
 * namespaces keep seeing everything.
 */
class SidecarScopeAdsTest {
  @TempDir Path dir;
  private ControlPlane cp;

  private static final String MESH =
      """
      apiVersion: maistra.io/v1
      kind: ServiceMeshMemberRoll
      metadata: {name: default, namespace: istio-system}
      spec: {members: [shop, pay, stock]}
      ---
      apiVersion: v1
      kind: Namespace
      metadata: {name: shop}
      ---
      apiVersion: v1
      kind: Namespace
      metadata: {name: pay}
      ---
      apiVersion: v1
      kind: Namespace
      metadata: {name: stock}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: web, namespace: shop}
      spec: {clusterIP: 10.96.0.10, ports: [{name: http, port: 8080}]}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: billing, namespace: pay}
      spec: {clusterIP: 10.96.0.11, ports: [{name: http, port: 9090}]}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: items, namespace: stock}
      spec: {clusterIP: 10.96.0.12, ports: [{name: tcp-db, port: 5432}]}
      """;

  private static final String SIDECAR =
      """
      apiVersion: networking.istio.io/v1
      kind: Sidecar
      metadata: {name: default, namespace: shop}
      spec:
        egress:
        - hosts: ["./*", "pay/billing.pay.svc.cluster.local"]
      """;

  @BeforeEach
  void start() throws Exception {
    Files.writeString(dir.resolve("mesh.yaml"), MESH);
    cp = ControlPlane.start(ControlPlane.Options.forTest(dir, "istio-system"));
  }

  @AfterEach
  void stop() {
    cp.close();
  }

  private static List<String> names(DiscoveryResponse r, Class<? extends Message> type)
      throws Exception {
    List<String> names = new ArrayList<>();
    for (Any a : r.getResourcesList()) {
      names.add(
          type == Cluster.class
              ? a.unpack(Cluster.class).getName()
              : a.unpack(Listener.class).getName());
    }
    return names;
  }

  @Test
  void aNamespaceSidecarShrinksItsProxiesConfig() throws Exception {
    try (AdsTestStream shop = new AdsTestStream(cp.xdsPort());
        AdsTestStream stock = new AdsTestStream(cp.xdsPort())) {
      shop.request(AdsTestStream.sidecar("web-1", "shop"), TypeUrls.CLUSTER, List.of(), "", "");
      DiscoveryResponse before = shop.next();
      assertThat(names(before, Cluster.class))
          .contains(
              "outbound|8080||web.shop.svc.cluster.local",
              "outbound|9090||billing.pay.svc.cluster.local",
              "outbound|5432||items.stock.svc.cluster.local");
      shop.ack(before, List.of());
      shop.request(null, TypeUrls.LISTENER, List.of(), "", "");
      DiscoveryResponse listeners = shop.next();
      assertThat(names(listeners, Listener.class)).contains("10.96.0.12_5432", "0.0.0.0_9090");
      shop.ack(listeners, List.of());
      stock.request(AdsTestStream.sidecar("items-1", "stock"), TypeUrls.CLUSTER, List.of(), "", "");
      DiscoveryResponse stockBefore = stock.next();
      stock.ack(stockBefore, List.of());

      Files.writeString(dir.resolve("sidecar.yaml"), SIDECAR);
      DiscoveryResponse after = shop.next();
      assertThat(after.getTypeUrl()).isEqualTo(TypeUrls.CLUSTER);
      assertThat(names(after, Cluster.class))
          .contains(
              "outbound|8080||web.shop.svc.cluster.local",
              "outbound|9090||billing.pay.svc.cluster.local")
          .doesNotContain("outbound|5432||items.stock.svc.cluster.local");
      assertThat(after.getResourcesCount()).isLessThan(before.getResourcesCount());
      shop.ack(after, List.of());
      DiscoveryResponse shrunkListeners = shop.next();
      assertThat(shrunkListeners.getTypeUrl()).isEqualTo(TypeUrls.LISTENER);
      assertThat(names(shrunkListeners, Listener.class))
          .doesNotContain("10.96.0.12_5432")
          .contains("0.0.0.0_9090");

      // Namespace stock has no Sidecar: nothing changes for it.
      assertThat(stock.poll(500)).isNull();
    }
  }
}
