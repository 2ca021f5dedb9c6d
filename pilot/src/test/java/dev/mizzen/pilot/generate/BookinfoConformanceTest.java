package dev.mizzen.pilot.generate;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import dev.mizzen.ingest.model.ConfigError;
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
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Istio's Bookinfo samples as users apply them ({@code kubectl apply -n default} of bookinfo.yaml,
 * then the networking samples), each on top of the application and destination-rule-all.yaml: every
 * Istio object is accepted and what proxies are sent holds together. Of bookinfo.yaml, only
 * Deployments and ServiceAccounts are refused, as the unknown kinds the README says they are
 * (Mizzen reads Pods and Endpoints, not their controllers).
 */
class BookinfoConformanceTest {
  private static final Path SAMPLES =
      Path.of("src/test/resources/conformance/istio-samples/bookinfo");
  private static final String ROLL =
      """
      apiVersion: maistra.io/v1
      kind: ServiceMeshMemberRoll
      metadata: {name: default, namespace: istio-system}
      spec: {members: [default]}
      ---
      apiVersion: v1
      kind: Namespace
      metadata: {name: default}
      """;
  private static final List<String> APPLICATION =
      List.of("bookinfo.yaml", "bookinfo-versions.yaml");

  static Stream<String> samples() throws IOException {
    try (Stream<Path> files = Files.list(SAMPLES)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> !APPLICATION.contains(n))
          .sorted()
          .toList()
          .stream();
    }
  }

  private record Applied(PushContext push, List<ConfigError> refused) {}

  private static Applied apply(String sample) throws IOException {
    ConfigStore store = new ConfigStore();
    ManifestParser parser = new ManifestParser();
    store.replace("roll.yaml", parser.parse("roll.yaml", ROLL));
    List<String> files = new ArrayList<>(APPLICATION);
    // A sample with its own DestinationRules replaces destination-rule-all.yaml's, as applying it
    // does.
    if (!Files.readString(SAMPLES.resolve(sample)).contains("kind: DestinationRule")) {
      files.add("destination-rule-all.yaml");
    }
    files.add(sample);
    for (String f : files) {
      store.replace(f, parser.parse(f, Files.readString(SAMPLES.resolve(f))));
    }
    ConfigSnapshot all = store.snapshot();
    Membership membership = new MemberRollResolver("istio-system", "default").resolve(all);
    PushContext push =
        PushContext.build(
            1,
            Instant.EPOCH,
            all.restrictTo(membership::isMember),
            MeshSettings.defaults("istio-system"));
    return new Applied(push, push.config().errors());
  }

  private static GroupKey key(
      Applied a,
      Proxy.Generator generator,
      Proxy.Type type,
      String namespace,
      Map<String, String> labels) {
    Proxy proxy =
        new Proxy(
            type.istioName() + "~10.9.9.9~p." + namespace + "~" + namespace + ".svc.cluster.local",
            type,
            List.of("10.9.9.9"),
            "p",
            namespace,
            labels,
            "Kubernetes",
            "",
            generator,
            Struct.getDefaultInstance(),
            false);
    return GroupKey.of(proxy, a.push());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void everySampleIsAcceptedAndServedSoundly(String sample) throws IOException {
    Applied a = apply(sample);
    assertThat(a.refused())
        .allSatisfy(
            e -> {
              assertThat(e.origin()).startsWith("bookinfo.yaml:");
              assertThat(e.kind()).isIn("Deployment", "ServiceAccount");
              assertThat(e.reason()).startsWith("unknown kind \"" + e.kind() + "\"");
            });
    ConfigGenerator generator = new ConfigGenerator(a.push());
    for (GroupKey key :
        List.of(
            key(
                a,
                Proxy.Generator.ENVOY,
                Proxy.Type.SIDECAR,
                "default",
                Map.of("app", "productpage")),
            key(a, Proxy.Generator.GRPC, Proxy.Type.SIDECAR, "default", Map.of()),
            key(
                a,
                Proxy.Generator.ENVOY,
                Proxy.Type.ROUTER,
                "istio-system",
                Map.of("istio", "ingressgateway")))) {
      ProxyResources resources = generator.generate(key);
      assertThat(ConsistencyCheck.problems(resources)).as(sample + " for " + key).isEmpty();
    }
  }

  @Test
  void theApplicationItselfIsRefusedOnlyForItsControllers() throws IOException {
    Applied a = apply("destination-rule-all.yaml");
    assertThat(a.refused())
        .extracting(ConfigError::kind)
        .containsOnly("Deployment", "ServiceAccount")
        .hasSize(10);
    assertThat(a.push().services())
        .extracting(s -> s.hostname())
        .contains("reviews.default.svc.cluster.local", "reviews-v2.default.svc.cluster.local");
  }

  private static Map<String, Message> sidecar(Applied a, String type) {
    return new ConfigGenerator(a.push())
        .generate(
            key(
                a,
                Proxy.Generator.ENVOY,
                Proxy.Type.SIDECAR,
                "default",
                Map.of("app", "productpage")))
        .of(type);
  }

  private static List<Route> routesOf(Applied a, String host) {
    RouteConfiguration rc = (RouteConfiguration) sidecar(a, TypeUrls.ROUTE).get("9080");
    return rc.getVirtualHostsList().stream()
        .filter(vh -> vh.getName().equals(host + ":9080"))
        .findFirst()
        .orElseThrow()
        .getRoutesList();
  }

  @Test
  void weightsHeadersAndFaultsRouteAsIstioRoutesThem() throws Exception {
    List<Route> split =
        routesOf(apply("virtual-service-reviews-80-20.yaml"), "reviews.default.svc.cluster.local");
    assertThat(split.get(0).getRoute().getWeightedClusters().getClustersList())
        .extracting(w -> w.getName() + "=" + w.getWeight().getValue())
        .containsExactly(
            "outbound|9080|v1|reviews.default.svc.cluster.local=80",
            "outbound|9080|v2|reviews.default.svc.cluster.local=20");

    List<Route> jason =
        routesOf(
            apply("virtual-service-reviews-jason-v2-v3.yaml"), "reviews.default.svc.cluster.local");
    assertThat(jason.get(0).getMatch().getHeaders(0).getName()).isEqualTo("end-user");
    assertThat(jason.get(0).getRoute().getCluster())
        .isEqualTo("outbound|9080|v2|reviews.default.svc.cluster.local");
    assertThat(jason.get(1).getRoute().getCluster())
        .isEqualTo("outbound|9080|v3|reviews.default.svc.cluster.local");

    List<Route> abort =
        routesOf(
            apply("virtual-service-ratings-test-abort.yaml"), "ratings.default.svc.cluster.local");
    HTTPFault fault =
        abort
            .get(0)
            .getTypedPerFilterConfigMap()
            .get("envoy.filters.http.fault")
            .unpack(HTTPFault.class);
    assertThat(fault.getAbort().getHttpStatus()).isEqualTo(500);
    assertThat(fault.getAbort().getPercentage().getNumerator()).isEqualTo(1_000_000);

    List<Route> delay =
        routesOf(
            apply("virtual-service-ratings-test-delay.yaml"), "ratings.default.svc.cluster.local");
    HTTPFault slow =
        delay
            .get(0)
            .getTypedPerFilterConfigMap()
            .get("envoy.filters.http.fault")
            .unpack(HTTPFault.class);
    assertThat(slow.getDelay().getFixedDelay().getSeconds()).isEqualTo(7);
  }

  @Test
  void theGatewayAndTheEgressSampleAreServedAsIstioServesThem() throws Exception {
    Applied gw = apply("bookinfo-gateway.yaml");
    ProxyResources router =
        new ConfigGenerator(gw.push())
            .generate(
                key(
                    gw,
                    Proxy.Generator.ENVOY,
                    Proxy.Type.ROUTER,
                    "istio-system",
                    Map.of("istio", "ingressgateway")));
    assertThat(router.of(TypeUrls.LISTENER)).containsOnlyKeys("0.0.0.0_8080");
    assertThat(
            ((Listener) router.of(TypeUrls.LISTENER).get("0.0.0.0_8080"))
                .getAddress()
                .getSocketAddress()
                .getPortValue())
        .isEqualTo(8080);
    VirtualHost vh =
        ((RouteConfiguration) router.of(TypeUrls.ROUTE).get("http.8080")).getVirtualHosts(0);
    assertThat(vh.getDomainsList()).containsExactly("*");
    assertThat(vh.getRoutesList())
        .extracting(r -> r.getMatch().getPath() + r.getMatch().getPrefix())
        .containsExactly("/productpage", "/static", "/login", "/logout", "/api/v1/products");
    assertThat(vh.getRoutes(0).getRoute().getCluster())
        .isEqualTo("outbound|9080||productpage.default.svc.cluster.local");

    Applied egress = apply("egress-rule-google-apis.yaml");
    Cluster tls =
        (Cluster) sidecar(egress, TypeUrls.CLUSTER).get("outbound|443||www.googleapis.com");
    assertThat(tls.getType()).isEqualTo(Cluster.DiscoveryType.STRICT_DNS);
    assertThat(tls.getTransportSocket().getTypedConfig().unpack(UpstreamTlsContext.class).getSni())
        .isEqualTo("www.googleapis.com");
    RouteConfiguration port80 = (RouteConfiguration) sidecar(egress, TypeUrls.ROUTE).get("80");
    assertThat(
            port80.getVirtualHostsList().stream()
                .filter(v -> v.getName().equals("www.googleapis.com:80"))
                .findFirst()
                .orElseThrow()
                .getRoutes(0)
                .getRoute()
                .getCluster())
        .isEqualTo("outbound|443||www.googleapis.com");
  }
}
