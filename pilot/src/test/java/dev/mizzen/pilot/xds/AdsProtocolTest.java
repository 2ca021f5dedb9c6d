package dev.mizzen.pilot.xds;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mizzen.pilot.app.ControlPlane;
import dev.mizzen.pilot.cache.TypeUrls;
import dev.mizzen.testing.xds.AdsTestStream;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ADS protocol as raw streams see it: ACK, NACK, unknown names, node handling, admission. */
class AdsProtocolTest {
  @TempDir Path dir;
  private ControlPlane cp;

  private static final String MESH =
      """
      apiVersion: v1
      kind: Namespace
      metadata: {name: shop}
      ---
      apiVersion: v1
      kind: Namespace
      metadata: {name: outsider}
      ---
      apiVersion: maistra.io/v1
      kind: ServiceMeshMemberRoll
      metadata: {name: default, namespace: istio-system}
      spec: {members: [shop]}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: web, namespace: shop}
      spec:
        clusterIP: 10.96.0.20
        ports: [{name: http, port: 8080}]
      ---
      apiVersion: v1
      kind: Endpoints
      metadata: {name: web, namespace: shop}
      subsets:
      - addresses: [{ip: 10.1.0.1}]
        ports: [{name: http, port: 8080}]
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

  @Test
  void aNackedVersionIsNotResentUntilTheConfigChanges() throws Exception {
    try (AdsTestStream ads = new AdsTestStream(cp.xdsPort())) {
      ads.request(AdsTestStream.sidecar("web-1", "shop"), TypeUrls.CLUSTER, List.of(), "", "");
      DiscoveryResponse first = ads.next();
      assertThat(first.getResourcesList())
          .extracting(a -> a.unpack(Cluster.class).getName())
          .contains(
              "outbound|8080||web.shop.svc.cluster.local",
              "BlackHoleCluster",
              "PassthroughCluster");

      ads.nack(first, List.of(), "cluster refused for the test");
      // SimpleCache would answer a NACK with the same snapshot at once, again and again.
      assertThat(ads.poll(1500)).isNull();

      var conn = cp.pipeline().streams().find("web-1.shop").orElseThrow();
      var state = conn.status().get(TypeUrls.CLUSTER);
      assertThat(state.lastError()).isEqualTo("cluster refused for the test");
      assertThat(state.nackedVersion()).isEqualTo(first.getVersionInfo());
      assertThat(state.ackedNonce()).isEmpty();

      Files.writeString(
          dir.resolve("more.yaml"),
          """
          apiVersion: v1
          kind: Service
          metadata: {name: api, namespace: shop}
          spec:
            ports: [{name: http, port: 9090}]
          """);
      DiscoveryResponse second = ads.next();
      assertThat(second.getVersionInfo()).isNotEqualTo(first.getVersionInfo());
      assertThat(second.getResourcesList())
          .extracting(a -> a.unpack(Cluster.class).getName())
          .contains("outbound|9090||api.shop.svc.cluster.local");
      ads.ack(second, List.of());
      assertThat(ads.poll(500)).isNull();
      assertThat(conn.status().get(TypeUrls.CLUSTER).ackedNonce()).isEqualTo(second.getNonce());
    }
  }

  @Test
  void keepsTheNodeOfTheFirstRequestAndAnswersUnknownNamesEmpty() throws Exception {
    try (AdsTestStream ads = new AdsTestStream(cp.xdsPort())) {
      ads.request(AdsTestStream.sidecar("web-1", "shop"), TypeUrls.CLUSTER, List.of(), "", "");
      ads.ack(ads.next(), List.of());
      // No node from here on, as grpc-js-xds does.
      ads.request(
          null,
          TypeUrls.ENDPOINT,
          List.of("outbound|8080||web.shop.svc.cluster.local", "outbound|1|v9|nope"),
          "",
          "");
      DiscoveryResponse eds = ads.next();
      assertThat(eds.getResourcesList())
          .extracting(a -> a.unpack(ClusterLoadAssignment.class))
          .anySatisfy(
              c -> {
                assertThat(c.getClusterName())
                    .isEqualTo("outbound|8080||web.shop.svc.cluster.local");
                assertThat(
                        c.getEndpoints(0)
                            .getLbEndpoints(0)
                            .getEndpoint()
                            .getAddress()
                            .getSocketAddress()
                            .getAddress())
                    .isEqualTo("10.1.0.1");
              })
          .anySatisfy(
              c -> {
                assertThat(c.getClusterName()).isEqualTo("outbound|1|v9|nope");
                assertThat(c.getEndpointsCount()).isZero();
              });
      ads.request(null, TypeUrls.LISTENER, List.of(), "", "");
      DiscoveryResponse lds = ads.next();
      assertThat(lds.getResourcesList())
          .extracting(a -> a.unpack(Listener.class).getName())
          .contains("0.0.0.0_8080", "virtualOutbound");
      ads.request(null, TypeUrls.ROUTE, List.of("8080", "no-such-route"), "", "");
      DiscoveryResponse rds = ads.next();
      assertThat(rds.getResourcesList())
          .extracting(a -> a.unpack(RouteConfiguration.class))
          .anySatisfy(
              r -> {
                assertThat(r.getName()).isEqualTo("8080");
                // One route configuration per port, matched without the Host header's port.
                assertThat(r.getIgnorePortInHostMatching()).isTrue();
                assertThat(r.getVirtualHosts(0).getDomainsList())
                    .contains("web", "web.shop.svc.cluster.local")
                    .doesNotContain("web.shop.svc.cluster.local:8080");
              })
          .anySatisfy(
              r -> {
                assertThat(r.getName()).isEqualTo("no-such-route");
                assertThat(r.getVirtualHostsCount()).isZero();
              });
    }
  }

  @Test
  void refusesAProxyOutsideTheMemberRoll() throws Exception {
    try (AdsTestStream ads = new AdsTestStream(cp.xdsPort())) {
      ads.request(AdsTestStream.sidecar("app-1", "outsider"), TypeUrls.CLUSTER, List.of(), "", "");
      io.grpc.Status status = ads.awaitClose();
      assertThat(status.getCode()).isEqualTo(io.grpc.Status.Code.PERMISSION_DENIED);
      assertThat(status.getDescription())
          .isEqualTo(
              "namespace \"outsider\" is not a member of the mesh of control plane \"istio-system\""
                  + " (ServiceMeshMemberRoll istio-system/default)");
    }
  }

  @Test
  void refusesANodeIdIstioWouldRefuse() throws Exception {
    try (AdsTestStream ads = new AdsTestStream(cp.xdsPort())) {
      ads.request(AdsTestStream.node("web-1", "shop", false), TypeUrls.CLUSTER, List.of(), "", "");
      io.grpc.Status status = ads.awaitClose();
      assertThat(status.getCode()).isEqualTo(io.grpc.Status.Code.INVALID_ARGUMENT);
      assertThat(status.getDescription()).isEqualTo("missing parts in the service node \"web-1\"");
    }
  }

  @Test
  void closesTheStreamsOfANamespaceThatLeavesTheRoll() throws Exception {
    try (AdsTestStream ads = new AdsTestStream(cp.xdsPort())) {
      ads.request(AdsTestStream.sidecar("web-1", "shop"), TypeUrls.CLUSTER, List.of(), "", "");
      ads.ack(ads.next(), List.of());
      Files.writeString(dir.resolve("mesh.yaml"), MESH.replace("members: [shop]", "members: []"));
      io.grpc.Status status = ads.awaitClose();
      assertThat(status.getCode()).isEqualTo(io.grpc.Status.Code.PERMISSION_DENIED);
      assertThat(status.getDescription()).contains("namespace \"shop\" left the mesh");
    }
  }
}
