package dev.mizzen.envoyrules;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.listener.original_dst.v3.OriginalDst;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import org.junit.jupiter.api.Test;

class EnvoyRulesTest {
  private final EnvoyRules rules = EnvoyRules.get();

  @Test
  void validResourcesPass() {
    assertThat(rules.check(cluster("outbound|80||a.ns.svc.cluster.local"))).isEmpty();
    assertThat(rules.check(listener(HttpFilter.newBuilder().setName("envoy.filters.http.router"))))
        .isEmpty();
    assertThat(
            rules.check(routes(Route.newBuilder().setMatch(prefix("/")).setRoute(toCluster("c")))))
        .isEmpty();
    assertThat(rules.check(endpoints(9080))).isEmpty();
  }

  @Test
  void clusterWithoutName() {
    assertThat(rules.check(cluster("")))
        .containsExactly(
            new RuleViolation("Cluster", "", "name", "length must be at least 1 but got: 0"));
  }

  @Test
  void routeWithoutAction() {
    assertThat(rules.check(routes(Route.newBuilder().setMatch(prefix("/")))))
        .containsExactly(
            new RuleViolation(
                "RouteConfiguration", "80", "virtual_hosts[0].routes[0].action", "is required"));
  }

  @Test
  void httpFilterWithoutNameInsideTheConnectionManager() {
    Listener listener =
        listener(
            HttpFilter.newBuilder().setName("envoy.filters.http.router"),
            HttpFilter.newBuilder().setName("envoy.filters.http.fault"),
            HttpFilter.newBuilder().setTypedConfig(Any.pack(Router.getDefaultInstance())));
    assertThat(rules.check(listener))
        .containsExactly(
            new RuleViolation(
                "Listener",
                "0.0.0.0_80",
                "filter_chains[0].filters[0].typed_config(HttpConnectionManager).http_filters[2].name",
                "length must be at least 1 but got: 0"));
  }

  @Test
  void endpointPortAbove65535() {
    assertThat(rules.check(endpoints(70000)))
        .containsExactly(
            new RuleViolation(
                "ClusterLoadAssignment",
                "outbound|80||a.ns.svc.cluster.local",
                "endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value",
                "must be less than or equal to 65535 (got 70000)"));
  }

  @Test
  void mapValuesAreCheckedUnderTheirKey() {
    Cluster cluster =
        cluster("c").toBuilder()
            .putTypedExtensionProtocolOptions(
                "envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
                Any.pack(
                    HttpProtocolOptions.newBuilder()
                        .setCommonHttpProtocolOptions(
                            io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions.newBuilder()
                                .setMaxRequestsPerConnection(UInt32Value.of(1)))
                        .build()))
            .build();
    assertThat(rules.check(cluster))
        .containsExactly(
            new RuleViolation(
                "Cluster",
                "c",
                "typed_extension_protocol_options[envoy.extensions.upstreams.http.v3.HttpProtocolOptions]"
                    + "(HttpProtocolOptions).upstream_protocol_options",
                "is required"));
  }

  @Test
  void anyOfAnUnknownTypeIsAViolation() {
    Listener listener =
        listener(HttpFilter.newBuilder().setName("envoy.filters.http.router")).toBuilder()
            .addListenerFilters(
                ListenerFilter.newBuilder()
                    .setName("tls")
                    .setTypedConfig(
                        Any.newBuilder().setTypeUrl("type.googleapis.com/example.Unknown")))
            .build();
    assertThat(rules.check(listener))
        .containsExactly(
            new RuleViolation(
                "Listener",
                "0.0.0.0_80",
                "listener_filters[0].typed_config",
                "unknown type \"type.googleapis.com/example.Unknown\": not an Envoy API message"));
  }

  @Test
  void typedConfigsOfFilesWithoutRulesAreKnown() {
    Listener listener =
        listener(HttpFilter.newBuilder().setName("envoy.filters.http.router")).toBuilder()
            .addListenerFilters(
                ListenerFilter.newBuilder()
                    .setName("envoy.filters.listener.original_dst")
                    .setTypedConfig(Any.pack(OriginalDst.getDefaultInstance())))
            .build();
    assertThat(rules.check(listener)).isEmpty();
  }

  @Test
  void everyBrokenMessageIsReported() {
    RouteConfiguration config =
        RouteConfiguration.newBuilder()
            .setName("80")
            .addVirtualHosts(
                VirtualHost.newBuilder()
                    .setName("")
                    .addDomains("*")
                    .addRoutes(Route.newBuilder().setMatch(prefix("/")))
                    .addRoutes(Route.newBuilder().setMatch(prefix("/")).setRoute(toCluster(""))))
            .build();
    assertThat(rules.check(config))
        .extracting(RuleViolation::path)
        .containsExactly(
            "virtual_hosts[0].name",
            "virtual_hosts[0].routes[0].action",
            "virtual_hosts[0].routes[1].route.cluster");
  }

  private static Cluster cluster(String name) {
    return Cluster.newBuilder()
        .setName(name)
        .setType(Cluster.DiscoveryType.EDS)
        .setConnectTimeout(Duration.newBuilder().setSeconds(10))
        .build();
  }

  private static Listener listener(HttpFilter.Builder... filters) {
    HttpConnectionManager.Builder hcm =
        HttpConnectionManager.newBuilder()
            .setStatPrefix("outbound_0.0.0.0_80")
            .setRds(
                Rds.newBuilder()
                    .setRouteConfigName("80")
                    .setConfigSource(
                        ConfigSource.newBuilder()
                            .setAds(AggregatedConfigSource.getDefaultInstance())));
    for (HttpFilter.Builder filter : filters) {
      hcm.addHttpFilters(filter);
    }
    return Listener.newBuilder()
        .setName("0.0.0.0_80")
        .setAddress(address("0.0.0.0", 80))
        .addFilterChains(
            FilterChain.newBuilder()
                .addFilters(
                    Filter.newBuilder()
                        .setName("envoy.filters.network.http_connection_manager")
                        .setTypedConfig(Any.pack(hcm.build()))))
        .build();
  }

  private static RouteConfiguration routes(Route.Builder route) {
    return RouteConfiguration.newBuilder()
        .setName("80")
        .addVirtualHosts(VirtualHost.newBuilder().setName("a:80").addDomains("a").addRoutes(route))
        .build();
  }

  private static ClusterLoadAssignment endpoints(int port) {
    return ClusterLoadAssignment.newBuilder()
        .setClusterName("outbound|80||a.ns.svc.cluster.local")
        .addEndpoints(
            LocalityLbEndpoints.newBuilder()
                .addLbEndpoints(
                    LbEndpoint.newBuilder()
                        .setEndpoint(Endpoint.newBuilder().setAddress(address("10.0.0.1", port)))))
        .build();
  }

  private static RouteMatch.Builder prefix(String prefix) {
    return RouteMatch.newBuilder().setPrefix(prefix);
  }

  private static RouteAction.Builder toCluster(String cluster) {
    return RouteAction.newBuilder().setCluster(cluster);
  }

  private static Address address(String ip, int port) {
    return Address.newBuilder()
        .setSocketAddress(SocketAddress.newBuilder().setAddress(ip).setPortValue(port))
        .build();
  }
}
