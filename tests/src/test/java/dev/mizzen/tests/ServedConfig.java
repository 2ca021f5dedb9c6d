package dev.mizzen.tests;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import dev.mizzen.pilot.cache.TypeUrls;
import dev.mizzen.testing.xds.AdsTestStream;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Everything one proxy is served, subscribed to as Envoy subscribes: clusters and listeners, then
 * the endpoints of every cluster and the routes every listener names.
 *
 * @param responses the responses, in the order received
 * @param resources every resource by type and name ({@code TYPE/NAME}), as its serialized bytes
 */
record ServedConfig(List<DiscoveryResponse> responses, Map<String, ByteString> resources) {

  /** Subscribes {@code node} on {@code ads} to every type and reads the first answer of each. */
  static ServedConfig of(AdsTestStream ads, Node node) throws Exception {
    List<DiscoveryResponse> responses = new ArrayList<>();
    ads.request(node, TypeUrls.CLUSTER, List.of(), "", "");
    DiscoveryResponse clusters = ads.next();
    responses.add(clusters);
    ads.request(null, TypeUrls.LISTENER, List.of(), "", "");
    DiscoveryResponse listeners = ads.next();
    responses.add(listeners);
    List<String> clusterNames = new ArrayList<>();
    for (Any a : clusters.getResourcesList()) {
      Cluster c = a.unpack(Cluster.class);
      if (c.getType() == Cluster.DiscoveryType.EDS || c.hasEdsClusterConfig()) {
        clusterNames.add(c.getName());
      }
    }
    Set<String> routes = new TreeSet<>();
    for (Any a : listeners.getResourcesList()) {
      Listener l = a.unpack(Listener.class);
      List<FilterChain> chains = new ArrayList<>(l.getFilterChainsList());
      if (l.hasDefaultFilterChain()) {
        chains.add(l.getDefaultFilterChain());
      }
      for (FilterChain chain : chains) {
        for (Filter f : chain.getFiltersList()) {
          if (f.getTypedConfig().is(HttpConnectionManager.class)) {
            rds(f.getTypedConfig().unpack(HttpConnectionManager.class), routes);
          }
        }
      }
      if (l.hasApiListener()
          && l.getApiListener().getApiListener().is(HttpConnectionManager.class)) {
        rds(l.getApiListener().getApiListener().unpack(HttpConnectionManager.class), routes);
      }
    }
    if (!clusterNames.isEmpty()) {
      ads.request(null, TypeUrls.ENDPOINT, clusterNames, "", "");
      responses.add(ads.next());
    }
    if (!routes.isEmpty()) {
      ads.request(null, TypeUrls.ROUTE, List.copyOf(routes), "", "");
      responses.add(ads.next());
    }
    Map<String, ByteString> resources = new TreeMap<>();
    for (DiscoveryResponse r : responses) {
      for (Any a : r.getResourcesList()) {
        resources.put(TypeUrls.shortName(r.getTypeUrl()) + "/" + name(a), a.getValue());
      }
    }
    return new ServedConfig(List.copyOf(responses), resources);
  }

  private static void rds(HttpConnectionManager hcm, Set<String> routes) {
    if (hcm.hasRds()) {
      routes.add(hcm.getRds().getRouteConfigName());
    }
  }

  private static String name(Any a) throws Exception {
    String type = a.getTypeUrl();
    if (type.equals(TypeUrls.CLUSTER)) {
      return a.unpack(Cluster.class).getName();
    }
    if (type.equals(TypeUrls.LISTENER)) {
      return a.unpack(Listener.class).getName();
    }
    if (type.equals(TypeUrls.ENDPOINT)) {
      return a.unpack(ClusterLoadAssignment.class).getClusterName();
    }
    if (type.equals(TypeUrls.ROUTE)) {
      return a.unpack(RouteConfiguration.class).getName();
    }
    return type;
  }

  /** The responses as text, in which every name they carry is written out. */
  String text() {
    StringBuilder all = new StringBuilder();
    for (DiscoveryResponse r : responses) {
      all.append(new String(r.toByteArray(), StandardCharsets.ISO_8859_1));
    }
    return all.toString();
  }
}
