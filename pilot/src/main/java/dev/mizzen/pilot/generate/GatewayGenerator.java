package dev.mizzen.pilot.generate;

import com.google.protobuf.BoolValue;
import com.google.protobuf.Message;
import dev.mizzen.authz.DataPlane;
import dev.mizzen.authz.WorkloadAuthz;
import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.GatewaySpec;
import dev.mizzen.ingest.model.GatewaySpec.Server;
import dev.mizzen.ingest.model.GatewaySpec.TlsMode;
import dev.mizzen.ingest.model.Protocol;
import dev.mizzen.ingest.model.VirtualServiceSpec;
import dev.mizzen.ingest.model.VirtualServiceSpec.L4Match;
import dev.mizzen.pilot.push.PushContext;
import dev.mizzen.pilot.push.SourceLabels;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.extensions.filters.network.sni_cluster.v3.SniCluster;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The listeners of a router proxy (an ingress or egress gateway) for the Gateways whose selector
 * picks it, as Istio builds them: one listener per port ({@code 0.0.0.0_PORT}, or {@code
 * BIND_PORT}), HTTP servers sharing the route configuration {@code http.PORT}, each TLS-terminating
 * HTTPS server its own filter chain (by server name) and route configuration {@code
 * https.PORT.PORTNAME.GATEWAY.NAMESPACE}, TLS passed through by the VirtualServices' TLS routes or,
 * in AUTO_PASSTHROUGH, to the cluster the server name names. Every chain carries the workload's
 * authorization filters, as inbound chains do. The routes are {@link GatewayRoutes}'.
 */
final class GatewayGenerator {
  /** A server of a Gateway that picks this router. */
  record Bound(Config<GatewaySpec> gateway, int index, Server server) {
    String gatewayKey() {
      return gateway.namespace() + "/" + gateway.name();
    }

    String listenerName() {
      return (server.bind().isEmpty() ? "0.0.0.0" : server.bind()) + "_" + server.number();
    }

    boolean plainHttp() {
      return server.protocol().isHttp() && !server.terminatesTls();
    }

    String routeName() {
      if (plainHttp()) {
        return "http." + server.number() + (server.bind().isEmpty() ? "" : "." + server.bind());
      }
      return "https."
          + server.number()
          + "."
          + server.portName()
          + "."
          + gateway.name()
          + "."
          + gateway.namespace()
          + (server.bind().isEmpty() ? "" : "." + server.bind());
    }
  }

  private final ProxyScope scope;
  private final WorkloadAuthz authz;
  private final Map<String, List<Bound>> byListener = new LinkedHashMap<>();

  GatewayGenerator(ProxyScope scope, WorkloadAuthz authz) {
    this.scope = scope;
    this.authz = authz;
    for (Config<GatewaySpec> g : scope.push.gatewaysFor(scope.labels)) {
      List<Server> servers = g.spec().servers();
      for (int i = 0; i < servers.size(); i++) {
        Bound b = new Bound(g, i, servers.get(i));
        byListener.computeIfAbsent(b.listenerName(), n -> new ArrayList<>()).add(b);
      }
    }
  }

  /** Every server of the router, grouped by listener. */
  Map<String, List<Bound>> servers() {
    return byListener;
  }

  /** Whether a server routes TLS by the cluster its server name names. */
  boolean autoPassthrough() {
    return byListener.values().stream()
        .flatMap(List::stream)
        .anyMatch(
            b -> b.server().tls() != null && b.server().tls().mode() == TlsMode.AUTO_PASSTHROUGH);
  }

  /** Every cluster the router's listeners and routes may name. */
  Set<String> referenced() {
    Set<String> out = new HashSet<>();
    for (List<Bound> servers : byListener.values()) {
      for (Bound b : servers) {
        Destinations.referenced(
            scope.push,
            scope.push.virtualServices().forGateway(b.gatewayKey()),
            b.server().number(),
            out);
      }
    }
    return out;
  }

  void listeners(Map<String, Message> out) {
    for (Map.Entry<String, List<Bound>> e : byListener.entrySet()) {
      List<Bound> servers = e.getValue();
      Server first = servers.get(0).server();
      Listener.Builder l =
          Listener.newBuilder()
              .setName(e.getKey())
              .setAddress(
                  InboundBuilder.address(
                      first.bind().isEmpty() ? "0.0.0.0" : first.bind(), first.number()))
              .setTrafficDirection(TrafficDirection.OUTBOUND);
      Bound http = servers.stream().filter(Bound::plainHttp).findFirst().orElse(null);
      if (http != null) {
        // Plain HTTP and TLS cannot share a port: HTTP servers take it, as in Istio.
        l.addFilterChains(FilterChain.newBuilder().addFilters(hcm(e.getKey(), http.routeName())));
      } else {
        Set<FilterChainMatch> seen = new HashSet<>();
        for (Bound b : servers) {
          for (FilterChain fc : chains(b)) {
            if (seen.add(fc.getFilterChainMatch())) {
              l.addFilterChains(fc);
            }
          }
        }
        l.addListenerFilters(ListenerBuilder.TLS_INSPECTOR);
      }
      if (l.getFilterChainsCount() > 0) {
        out.put(e.getKey(), l.build());
      }
    }
  }

  private List<FilterChain> chains(Bound b) {
    Server s = b.server();
    List<String> names = serverNames(s);
    List<FilterChain> out = new ArrayList<>();
    if (s.terminatesTls() && s.protocol() == Protocol.HTTPS) {
      out.add(
          FilterChain.newBuilder()
              .setFilterChainMatch(FilterChainMatch.newBuilder().addAllServerNames(names))
              .setTransportSocket(GatewayTls.downstream(s.tls(), true))
              .addFilters(hcm(b.listenerName(), b.routeName()))
              .build());
      return out;
    }
    if (s.tls() != null && s.tls().mode() == TlsMode.AUTO_PASSTHROUGH) {
      FilterChain.Builder fc =
          FilterChain.newBuilder()
              .setFilterChainMatch(FilterChainMatch.newBuilder().addAllServerNames(names));
      authz.networkFilters().forEach(fc::addFilters);
      fc.addFilters(
          Filter.newBuilder()
              .setName("envoy.filters.network.sni_cluster")
              .setTypedConfig(Protos.any(SniCluster.getDefaultInstance())));
      fc.addFilters(
          Filter.newBuilder()
              .setName(ListenerBuilder.TCP_PROXY)
              .setTypedConfig(
                  Protos.any(
                      TcpProxy.newBuilder()
                          .setStatPrefix(ClusterNames.BLACK_HOLE)
                          .setCluster(ClusterNames.BLACK_HOLE)
                          .build())));
      out.add(fc.build());
      return out;
    }
    boolean passthrough = s.tls() != null && s.tls().mode() == TlsMode.PASSTHROUGH;
    for (Config<VirtualServiceSpec> vs : scope.push.virtualServices().forGateway(b.gatewayKey())) {
      if (!GatewayRoutes.bound(vs, b)) {
        continue;
      }
      if (passthrough) {
        for (VirtualServiceSpec.TlsRoute r : vs.spec().tls()) {
          for (L4Match m : r.matches()) {
            List<String> sni =
                m.sniHosts().stream()
                    .filter(h -> GatewayRoutes.coveredBy(h, s, b.gateway().namespace()))
                    .toList();
            if (!sni.isEmpty() && applies(m, b)) {
              out.add(
                  tcpChain(
                      FilterChainMatch.newBuilder().addAllServerNames(sni).build(),
                      null,
                      r.route(),
                      s.number()));
            }
          }
        }
      } else {
        for (VirtualServiceSpec.TcpRoute r : vs.spec().tcp()) {
          if (r.matches().isEmpty() || r.matches().stream().anyMatch(m -> applies(m, b))) {
            FilterChainMatch match =
                FilterChainMatch.newBuilder()
                    .addAllServerNames(s.tls() == null ? List.of() : names)
                    .build();
            out.add(tcpChain(match, s.tls(), r.route(), s.number()));
            break;
          }
        }
      }
    }
    return out;
  }

  private boolean applies(L4Match m, Bound b) {
    return (m.port() == 0 || m.port() == b.server().number())
        && SourceLabels.applies(m, b.gatewayKey(), scope.labels, scope.viewer);
  }

  private FilterChain tcpChain(
      FilterChainMatch match,
      GatewaySpec.ServerTls tls,
      List<VirtualServiceSpec.RouteDestination> route,
      int port) {
    FilterChain.Builder fc = FilterChain.newBuilder();
    if (!match.equals(FilterChainMatch.getDefaultInstance())) {
      fc.setFilterChainMatch(match);
    }
    if (tls != null && tls.mode() != TlsMode.PASSTHROUGH) {
      fc.setTransportSocket(GatewayTls.downstream(tls, false));
    }
    authz.networkFilters().forEach(fc::addFilters);
    fc.addFilters(TcpListeners.tcpProxy(scope, route, port));
    return fc.build();
  }

  /** The server names of a server's hosts; none when one of them is "*". */
  private static List<String> serverNames(Server s) {
    List<String> names = new ArrayList<>();
    for (String h : s.hosts()) {
      String host = h.substring(h.indexOf('/') + 1);
      if (host.equals("*")) {
        return List.of();
      }
      if (!names.contains(host)) {
        names.add(host);
      }
    }
    return names;
  }

  private Filter hcm(String listener, String routeName) {
    HttpConnectionManager.Builder hcm =
        HttpConnectionManager.newBuilder()
            .setStatPrefix("outbound_" + listener)
            .setUseRemoteAddress(BoolValue.of(true))
            .setRds(Rds.newBuilder().setRouteConfigName(routeName).setConfigSource(Protos.ADS))
            .addAllHttpFilters(authz.httpFilters(DataPlane.ENVOY))
            .addHttpFilters(ListenerBuilder.FAULT_FILTER)
            .addHttpFilters(ListenerBuilder.CORS_FILTER)
            .addHttpFilters(ListenerBuilder.ROUTER_FILTER);
    Tracing.apply(hcm, scope.push.tracing());
    return Filter.newBuilder()
        .setName(ListenerBuilder.HCM)
        .setTypedConfig(Protos.any(hcm.build()))
        .build();
  }

  static boolean visible(Config<VirtualServiceSpec> vs, String gatewayNamespace) {
    return PushContext.exported(vs.spec().exportTo(), vs.namespace(), gatewayNamespace);
  }
}
