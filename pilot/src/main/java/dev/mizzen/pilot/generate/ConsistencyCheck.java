package dev.mizzen.pilot.generate;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.mizzen.pilot.cache.ProxyResources;
import dev.mizzen.pilot.cache.TypeUrls;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Refuses a set of resources whose references dangle: a listener naming a route configuration or a
 * cluster, a route naming a cluster, or an EDS cluster naming endpoints, that the proxy would not
 * also be sent. Such a set is never published; proxies keep what they had.
 */
public final class ConsistencyCheck {
  private ConsistencyCheck() {}

  /** Every dangling reference, as "kind 'name' refers to missing kind 'name'"; empty when sound. */
  public static List<String> problems(ProxyResources resources) {
    Map<String, Message> clusters = resources.of(TypeUrls.CLUSTER);
    Map<String, Message> endpoints = resources.of(TypeUrls.ENDPOINT);
    Map<String, Message> routes = resources.of(TypeUrls.ROUTE);
    List<String> problems = new ArrayList<>();
    for (Message m : resources.of(TypeUrls.LISTENER).values()) {
      Listener l = (Listener) m;
      if (l.getAddress().getSocketAddress().getProtocol() == SocketAddress.Protocol.UDP
          || l.hasUdpListenerConfig()) {
        // Maistra's proxies serve no QUIC: a UDP listener is a bug, never published.
        problems.add(
            "listener '" + l.getName() + "' is a UDP (QUIC) listener, which Mizzen never serves");
      }
      List<Filter> filters = new ArrayList<>();
      for (FilterChain fc : l.getFilterChainsList()) {
        filters.addAll(fc.getFiltersList());
      }
      if (l.hasApiListener()) {
        filters.add(
            Filter.newBuilder().setTypedConfig(l.getApiListener().getApiListener()).build());
      }
      for (Filter f : filters) {
        try {
          if (f.getTypedConfig().is(HttpConnectionManager.class)) {
            HttpConnectionManager hcm = f.getTypedConfig().unpack(HttpConnectionManager.class);
            if (hcm.hasRds() && !routes.containsKey(hcm.getRds().getRouteConfigName())) {
              problems.add(
                  "listener '"
                      + l.getName()
                      + "' refers to missing route configuration '"
                      + hcm.getRds().getRouteConfigName()
                      + "'");
            }
            if (hcm.hasRouteConfig()) {
              checkRoutes(hcm.getRouteConfig(), clusters, problems);
            }
          } else if (f.getTypedConfig().is(TcpProxy.class)) {
            TcpProxy tcp = f.getTypedConfig().unpack(TcpProxy.class);
            List<String> names = new ArrayList<>();
            if (!tcp.getCluster().isEmpty()) {
              names.add(tcp.getCluster());
            }
            tcp.getWeightedClusters().getClustersList().forEach(w -> names.add(w.getName()));
            for (String cluster : names) {
              if (!clusters.containsKey(cluster)) {
                problems.add(
                    "listener '" + l.getName() + "' refers to missing cluster '" + cluster + "'");
              }
            }
          }
        } catch (InvalidProtocolBufferException e) {
          problems.add(
              "listener '" + l.getName() + "' has an unreadable filter: " + e.getMessage());
        }
      }
    }
    for (Message m : routes.values()) {
      checkRoutes((RouteConfiguration) m, clusters, problems);
    }
    for (Message m : clusters.values()) {
      Cluster c = (Cluster) m;
      if (c.getType() == Cluster.DiscoveryType.EDS) {
        String service =
            c.getEdsClusterConfig().getServiceName().isEmpty()
                ? c.getName()
                : c.getEdsClusterConfig().getServiceName();
        if (!endpoints.containsKey(service)) {
          problems.add(
              "cluster '" + c.getName() + "' refers to missing endpoints '" + service + "'");
        }
      }
    }
    return problems;
  }

  private static void checkRoutes(
      RouteConfiguration rc, Map<String, Message> clusters, List<String> problems) {
    for (VirtualHost vh : rc.getVirtualHostsList()) {
      for (Route r : vh.getRoutesList()) {
        if (!r.hasRoute()) {
          continue;
        }
        List<String> names = new ArrayList<>();
        r.getRoute().getRequestMirrorPoliciesList().forEach(p -> names.add(p.getCluster()));
        if (!r.getRoute().getCluster().isEmpty()) {
          names.add(r.getRoute().getCluster());
        }
        for (WeightedCluster.ClusterWeight w :
            r.getRoute().getWeightedClusters().getClustersList()) {
          names.add(w.getName());
        }
        for (String name : names) {
          if (!clusters.containsKey(name)) {
            problems.add(
                "route configuration '"
                    + rc.getName()
                    + "' (virtual host '"
                    + vh.getName()
                    + "') refers to missing cluster '"
                    + name
                    + "'");
          }
        }
      }
    }
  }
}
