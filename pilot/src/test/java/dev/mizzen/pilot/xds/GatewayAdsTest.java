package dev.mizzen.pilot.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.mizzen.ingest.model.ConfigError;
import dev.mizzen.pilot.app.ControlPlane;
import dev.mizzen.pilot.cache.TypeUrls;
import dev.mizzen.testing.mesh.MeshYaml;
import dev.mizzen.testing.xds.AdsTestStream;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A router proxy (node id {@code router~...}) over a raw ADS stream: the listeners of the Gateway
 * its labels select, one TLS mode per server, and no QUIC even when a Gateway asks for it.
 */
class GatewayAdsTest {
  @TempDir Path dir;
  private ControlPlane cp;

  private static final String MESH =
      MeshYaml.members("shop")
          + """
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: web, namespace: shop}
      spec:
        clusterIP: 10.96.0.20
        ports: [{name: http, port: 8080}, {name: https, port: 8443}]
      ---
      apiVersion: networking.istio.io/v1
      kind: Gateway
      metadata: {name: edge, namespace: shop}
      spec:
        selector: {istio: ingressgateway}
        servers:
        - port: {number: 443, name: https-simple, protocol: HTTPS}
          hosts: [shop/simple.example.com]
          tls: {mode: SIMPLE, credentialName: simple-cert}
        - port: {number: 443, name: https-mutual, protocol: HTTPS}
          hosts: [shop/mutual.example.com]
          tls: {mode: MUTUAL, credentialName: mutual-cert}
        - port: {number: 8443, name: https-istio, protocol: HTTPS}
          hosts: [shop/mesh.example.com]
          tls: {mode: ISTIO_MUTUAL}
        - port: {number: 9443, name: tls-passthrough, protocol: TLS}
          hosts: [shop/secure.example.com]
          tls: {mode: PASSTHROUGH}
        - port: {number: 15443, name: tls-auto, protocol: TLS}
          hosts: ["*.local"]
          tls: {mode: AUTO_PASSTHROUGH}
        - port: {number: 80, name: http, protocol: HTTP}
          hosts: ["*"]
          tls: {httpsRedirect: true}
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: web, namespace: shop}
      spec:
        hosts: [simple.example.com, mutual.example.com, mesh.example.com]
        gateways: [edge]
        http: [{route: [{destination: {host: web, port: {number: 8080}}}]}]
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: secure, namespace: shop}
      spec:
        hosts: [secure.example.com]
        gateways: [edge]
        tls:
        - match: [{sniHosts: [secure.example.com]}]
          route: [{destination: {host: web, port: {number: 8443}}}]
      ---
      apiVersion: networking.istio.io/v1
      kind: Gateway
      metadata: {name: h3, namespace: shop}
      spec:
        selector: {istio: ingressgateway}
        servers:
        - port: {number: 443, name: h3, protocol: HTTP3}
          hosts: ["*"]
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

  private static Node router(Map<String, String> labels) {
    Struct.Builder l = Struct.newBuilder();
    labels.forEach((k, v) -> l.putFields(k, Value.newBuilder().setStringValue(v).build()));
    return Node.newBuilder()
        .setId("router~10.0.0.5~ingress-1.istio-system~istio-system.svc.cluster.local")
        .setMetadata(
            Struct.newBuilder()
                .putFields("NAMESPACE", Value.newBuilder().setStringValue("istio-system").build())
                .putFields("LABELS", Value.newBuilder().setStructValue(l).build()))
        .build();
  }

  private static Map<String, Listener> listeners(DiscoveryResponse r) throws Exception {
    Map<String, Listener> out = new HashMap<>();
    for (Any a : r.getResourcesList()) {
      Listener l = a.unpack(Listener.class);
      out.put(l.getName(), l);
    }
    return out;
  }

  private static DownstreamTlsContext tls(FilterChain fc) throws Exception {
    return fc.getTransportSocket().getTypedConfig().unpack(DownstreamTlsContext.class);
  }

  private static FilterChain chainFor(Listener l, String serverName) {
    return l.getFilterChainsList().stream()
        .filter(fc -> fc.getFilterChainMatch().getServerNamesList().contains(serverName))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no chain for " + serverName + " in " + l.getName()));
  }

  @Test
  void servesTheGatewayOfItsLabelsWithEveryTlsMode() throws Exception {
    try (AdsTestStream s = new AdsTestStream(cp.xdsPort())) {
      s.request(router(Map.of("istio", "ingressgateway")), TypeUrls.LISTENER, List.of(), "", "");
      Map<String, Listener> ls = listeners(s.next());
      assertThat(ls)
          .containsOnlyKeys(
              "0.0.0.0_443", "0.0.0.0_8443", "0.0.0.0_9443", "0.0.0.0_15443", "0.0.0.0_80");
      for (Listener l : ls.values()) {
        assertThat(l.getAddress().getSocketAddress().getProtocol())
            .isEqualTo(SocketAddress.Protocol.TCP);
        assertThat(l.hasUdpListenerConfig()).isFalse();
      }

      // SIMPLE: the Secret's certificate over SDS, no client certificate asked.
      DownstreamTlsContext simple = tls(chainFor(ls.get("0.0.0.0_443"), "simple.example.com"));
      assertThat(simple.getCommonTlsContext().getTlsCertificateSdsSecretConfigs(0).getName())
          .isEqualTo("kubernetes://simple-cert");
      assertThat(simple.getRequireClientCertificate().getValue()).isFalse();
      assertThat(simple.getCommonTlsContext().hasCombinedValidationContext()).isFalse();

      // MUTUAL: the certificate and the roots of the Secret, a client certificate required.
      DownstreamTlsContext mutual = tls(chainFor(ls.get("0.0.0.0_443"), "mutual.example.com"));
      assertThat(mutual.getCommonTlsContext().getTlsCertificateSdsSecretConfigs(0).getName())
          .isEqualTo("kubernetes://mutual-cert");
      assertThat(
              mutual
                  .getCommonTlsContext()
                  .getCombinedValidationContext()
                  .getValidationContextSdsSecretConfig()
                  .getName())
          .isEqualTo("kubernetes://mutual-cert-cacert");
      assertThat(mutual.getRequireClientCertificate().getValue()).isTrue();

      // ISTIO_MUTUAL: the workload certificate and Istio's roots.
      DownstreamTlsContext istio = tls(chainFor(ls.get("0.0.0.0_8443"), "mesh.example.com"));
      assertThat(istio.getCommonTlsContext().getTlsCertificateSdsSecretConfigs(0).getName())
          .isEqualTo("default");
      assertThat(
              istio
                  .getCommonTlsContext()
                  .getCombinedValidationContext()
                  .getValidationContextSdsSecretConfig()
                  .getName())
          .isEqualTo("ROOTCA");
      assertThat(istio.getRequireClientCertificate().getValue()).isTrue();

      // PASSTHROUGH: no TLS terminated, the TLS route's destination by server name.
      FilterChain passthrough = chainFor(ls.get("0.0.0.0_9443"), "secure.example.com");
      assertThat(passthrough.hasTransportSocket()).isFalse();
      assertThat(passthrough.getFiltersList())
          .extracting(Filter::getName)
          .containsExactly("envoy.filters.network.tcp_proxy");

      // AUTO_PASSTHROUGH: the cluster the server name names.
      FilterChain auto = chainFor(ls.get("0.0.0.0_15443"), "*.local");
      assertThat(auto.getFiltersList())
          .extracting(Filter::getName)
          .containsExactly("envoy.filters.network.sni_cluster", "envoy.filters.network.tcp_proxy");

      // Plain HTTP with httpsRedirect: the route configuration requires TLS.
      HttpConnectionManager hcm =
          ls.get("0.0.0.0_80")
              .getFilterChains(0)
              .getFilters(0)
              .getTypedConfig()
              .unpack(HttpConnectionManager.class);
      assertThat(hcm.getRds().getRouteConfigName()).isEqualTo("http.80");
      s.request(
          null, TypeUrls.ROUTE, List.of("http.80", "https.443.https-simple.edge.shop"), "", "");
      DiscoveryResponse routes = s.next();
      Map<String, RouteConfiguration> byName = new HashMap<>();
      for (Any a : routes.getResourcesList()) {
        RouteConfiguration rc = a.unpack(RouteConfiguration.class);
        byName.put(rc.getName(), rc);
      }
      assertThat(byName.get("https.443.https-simple.edge.shop").getVirtualHosts(0).getDomainsList())
          .contains("simple.example.com");
      assertThat(byName.get("http.80").getVirtualHostsList())
          .allSatisfy(vh -> assertThat(vh.getRequireTls().name()).isEqualTo("ALL"));
    }
  }

  @Test
  void aRouterNoGatewaySelectsGetsNoListenerAndQuicIsRefused() throws Exception {
    try (AdsTestStream s = new AdsTestStream(cp.xdsPort())) {
      s.request(router(Map.of("istio", "egressgateway")), TypeUrls.LISTENER, List.of(), "", "");
      assertThat(s.next().getResourcesCount()).isZero();
    }
    List<ConfigError> refused = cp.pipeline().status().refused();
    assertThat(refused)
        .extracting(ConfigError::message)
        .containsExactly(
            dir.resolve("mesh.yaml")
                + ":60: Gateway shop/h3: spec.servers[0].port.protocol: QUIC and HTTP/3 are not supported:"
                + " Maistra's proxies serve no QUIC listeners; use HTTPS or HTTP2");
  }
}
