package dev.mizzen.pilot.generate;

import com.google.protobuf.BoolValue;
import com.google.protobuf.UInt32Value;
import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.DestinationRuleSpec.TrafficPolicy;
import dev.mizzen.ingest.model.Protocol;
import dev.mizzen.ingest.model.ServiceSpec.ServicePort;
import dev.mizzen.ingest.model.VirtualServiceSpec;
import dev.mizzen.ingest.model.VirtualServiceSpec.L4Match;
import dev.mizzen.ingest.model.VirtualServiceSpec.RouteDestination;
import dev.mizzen.pilot.push.MeshService;
import dev.mizzen.pilot.push.SourceLabels;
import io.envoyproxy.envoy.config.core.v3.CidrRange;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The outbound listeners of a sidecar for ports that are not HTTP: one per service address and port
 * ({@code VIP_PORT}), or {@code 0.0.0.0_PORT} for services without one, whose filter chains follow
 * the VirtualServices' TCP routes (by destination subnet) and TLS routes (by server name), ending
 * in the service's own cluster.
 */
final class TcpListeners {
  private final ProxyScope scope;
  private final Set<Integer> httpPorts;

  /**
   * @param httpPorts ports whose {@code 0.0.0.0_PORT} listener is HTTP, left to it
   */
  TcpListeners(ProxyScope scope, Set<Integer> httpPorts) {
    this.scope = scope;
    this.httpPorts = httpPorts;
  }

  /** A filter chain under construction: its match and where it sends connections. */
  private record Chain(FilterChainMatch match, List<RouteDestination> route, int port) {}

  List<Listener> build() {
    Map<String, List<Chain>> byListener = new TreeMap<>();
    Map<String, String> addressOf = new LinkedHashMap<>();
    for (MeshService s : scope.services()) {
      for (ServicePort p : s.ports()) {
        Protocol protocol = p.protocol();
        if (protocol.isHttp() || protocol == Protocol.UDP || !scope.allows(s, p.port())) {
          continue;
        }
        boolean tls = protocol == Protocol.HTTPS || protocol == Protocol.TLS;
        String address = s.hasVip() ? s.vip() : "0.0.0.0";
        if (address.equals("0.0.0.0") && httpPorts.contains(p.port())) {
          continue;
        }
        List<String> cidrs = s.addresses().stream().filter(a -> a.contains("/")).toList();
        String name = address + "_" + p.port();
        addressOf.put(name, address);
        List<Chain> chains = byListener.computeIfAbsent(name, n -> new ArrayList<>());
        chains.addAll(chains(s, p.port(), tls, !s.hasVip(), cidrs));
      }
    }
    List<Listener> out = new ArrayList<>();
    for (Map.Entry<String, List<Chain>> e : byListener.entrySet()) {
      listener(e.getKey(), addressOf.get(e.getKey()), e.getValue()).ifPresent(out::add);
    }
    return out;
  }

  private List<Chain> chains(
      MeshService s, int port, boolean tls, boolean shared, List<String> cidrs) {
    List<Chain> chains = new ArrayList<>();
    Optional<Config<VirtualServiceSpec>> vs =
        scope.push.virtualServices().forMeshHost(s.hostname(), scope.viewer).stream().findFirst();
    List<String> ownNames = tls && shared ? List.of(s.hostname()) : List.of();
    List<RouteDestination> fallback = List.of(new RouteDestination(s.hostname(), "", port, 0));
    if (vs.isPresent() && tls) {
      for (VirtualServiceSpec.TlsRoute r : vs.get().spec().tls()) {
        for (L4Match m : r.matches()) {
          if (applies(m, port)) {
            chains.add(new Chain(match(m.sniHosts(), m.destinationSubnets()), r.route(), port));
          }
        }
      }
    } else if (vs.isPresent()) {
      for (VirtualServiceSpec.TcpRoute r : vs.get().spec().tcp()) {
        List<L4Match> applicable = r.matches().stream().filter(m -> applies(m, port)).toList();
        if (!r.matches().isEmpty() && applicable.isEmpty()) {
          continue;
        }
        boolean unconditional =
            r.matches().isEmpty()
                || applicable.stream().anyMatch(m -> m.destinationSubnets().isEmpty());
        for (L4Match m : applicable) {
          if (!m.destinationSubnets().isEmpty()) {
            chains.add(new Chain(match(ownNames, m.destinationSubnets()), r.route(), port));
          }
        }
        if (unconditional) {
          fallback = r.route();
          break;
        }
      }
    }
    chains.add(new Chain(match(ownNames, cidrs), fallback, port));
    return chains;
  }

  private boolean applies(L4Match m, int port) {
    return (m.port() == 0 || m.port() == port)
        && SourceLabels.applies(m, VirtualServiceSpec.MESH, scope.labels, scope.viewer);
  }

  private static FilterChainMatch match(List<String> serverNames, List<String> subnets) {
    FilterChainMatch.Builder m = FilterChainMatch.newBuilder().addAllServerNames(serverNames);
    for (String s : subnets) {
      m.addPrefixRanges(cidr(s));
    }
    return m.build();
  }

  static CidrRange cidr(String s) {
    int slash = s.indexOf('/');
    String ip = slash < 0 ? s : s.substring(0, slash);
    int len = slash < 0 ? (ip.contains(":") ? 128 : 32) : Integer.parseInt(s.substring(slash + 1));
    return CidrRange.newBuilder().setAddressPrefix(ip).setPrefixLen(UInt32Value.of(len)).build();
  }

  private Optional<Listener> listener(String name, String address, List<Chain> chains) {
    Listener.Builder l =
        Listener.newBuilder()
            .setName(name)
            .setAddress(
                InboundBuilder.address(
                    address, Integer.parseInt(name.substring(name.lastIndexOf('_') + 1))))
            .setBindToPort(BoolValue.of(false))
            .setTrafficDirection(TrafficDirection.OUTBOUND);
    Set<FilterChainMatch> seen = new HashSet<>();
    boolean sni = false;
    for (Chain c : chains) {
      if (!seen.add(c.match())) {
        // Envoy refuses two chains with one match: the first (oldest VirtualService route) wins.
        continue;
      }
      sni |= c.match().getServerNamesCount() > 0;
      FilterChain.Builder fc =
          FilterChain.newBuilder().addFilters(tcpProxy(scope, c.route(), c.port()));
      if (!c.match().equals(FilterChainMatch.getDefaultInstance())) {
        fc.setFilterChainMatch(c.match());
      }
      l.addFilterChains(fc);
    }
    if (sni) {
      l.addListenerFilters(ListenerBuilder.TLS_INSPECTOR);
    }
    return l.getFilterChainsCount() == 0 ? Optional.empty() : Optional.of(l.build());
  }

  /** A TCP proxy to weighted destinations, idle timeout from the DestinationRule of the first. */
  static Filter tcpProxy(ProxyScope scope, List<RouteDestination> route, int port) {
    List<RouteDestination> weighted =
        route.size() == 1 ? route : route.stream().filter(d -> d.weight() > 0).toList();
    TcpProxy.Builder t = TcpProxy.newBuilder();
    if (weighted.size() == 1) {
      String cluster = Destinations.cluster(scope.push, weighted.get(0), port);
      t.setStatPrefix(cluster).setCluster(cluster);
    } else {
      TcpProxy.WeightedCluster.Builder wc = TcpProxy.WeightedCluster.newBuilder();
      for (RouteDestination d : weighted) {
        wc.addClusters(
            TcpProxy.WeightedCluster.ClusterWeight.newBuilder()
                .setName(Destinations.cluster(scope.push, d, port))
                .setWeight(d.weight()));
      }
      t.setStatPrefix(Destinations.cluster(scope.push, weighted.get(0), port))
          .setWeightedClusters(wc);
    }
    RouteDestination first = weighted.get(0);
    TrafficPolicy p =
        EffectivePolicy.of(
            scope.push,
            first.host(),
            first.subset(),
            first.port() == 0 ? port : first.port(),
            scope.viewer);
    if (p.connectionPool() != null && p.connectionPool().tcpIdleTimeout() != null) {
      t.setIdleTimeout(Protos.duration(p.connectionPool().tcpIdleTimeout()));
    }
    return Filter.newBuilder()
        .setName(ListenerBuilder.TCP_PROXY)
        .setTypedConfig(Protos.any(t.build()))
        .build();
  }
}
