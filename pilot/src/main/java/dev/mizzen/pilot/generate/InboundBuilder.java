package dev.mizzen.pilot.generate;

import com.google.protobuf.BoolValue;
import com.google.protobuf.Duration;
import com.google.protobuf.UInt32Value;
import dev.mizzen.authz.DataPlane;
import dev.mizzen.authz.WorkloadAuthz;
import dev.mizzen.authz.authn.IstioTls;
import dev.mizzen.authz.authn.Mtls;
import dev.mizzen.ingest.model.MtlsMode;
import dev.mizzen.pilot.push.MeshSettings;
import dev.mizzen.pilot.push.TracingCollector;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.BindConfig;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.config.route.v3.NonForwardingAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.listener.original_dst.v3.OriginalDst;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The inbound side of a workload, where its authorization and peer authentication are enforced:
 * Istio's {@code virtualInbound} listener with its {@code inbound|PORT||} clusters for sidecars,
 * and the server listener {@code xds.istio.io/grpc/lds/inbound/IP:PORT} for proxyless gRPC.
 */
final class InboundBuilder {
  static final String VIRTUAL_INBOUND = "virtualInbound";
  static final int VIRTUAL_INBOUND_PORT = 15006;
  static final String INBOUND_PASSTHROUGH = "InboundPassthroughCluster";

  /** grpc-java and Istio's agent ask for server listeners under this prefix. */
  static final String GRPC_SERVER_PREFIX = "xds.istio.io/grpc/lds/inbound/";

  /** Istio sends inbound traffic to the app from this address, so the app can tell it apart. */
  private static final String INBOUND_SOURCE = "127.0.0.6";

  private final MeshSettings mesh;

  InboundBuilder(MeshSettings mesh) {
    this.mesh = mesh;
  }

  /**
   * {@code virtualInbound} (15006): where iptables sends all inbound traffic. One filter chain per
   * served port (two under PERMISSIVE mTLS, told apart by the TLS inspector), and catch-all chains
   * passing traffic for other ports on, under the same policies.
   */
  Listener virtualInbound(
      List<InboundPort> ports, WorkloadAuthz authz, Optional<TracingCollector> tracing) {
    Listener.Builder l =
        Listener.newBuilder()
            .setName(VIRTUAL_INBOUND)
            .setAddress(address("0.0.0.0", VIRTUAL_INBOUND_PORT))
            .setTrafficDirection(TrafficDirection.INBOUND)
            .addListenerFilters(
                ListenerFilter.newBuilder()
                    .setName("envoy.filters.listener.original_dst")
                    .setTypedConfig(Protos.any(OriginalDst.getDefaultInstance())));
    boolean inspectTls = false;
    for (InboundPort p : ports) {
      Mtls mtls = authz.mtls(p.port());
      inspectTls |= mtls.mode() != MtlsMode.DISABLE;
      for (boolean tls : tlsVariants(mtls)) {
        FilterChain.Builder fc =
            FilterChain.newBuilder()
                .setName(p.clusterName() + (tls ? "tls" : "plaintext"))
                .setFilterChainMatch(match(p.port(), mtls, tls));
        if (p.protocol().isHttp()) {
          fc.addFilters(hcm(p, authz, tracing));
        } else {
          authz.networkFilters().forEach(fc::addFilters);
          fc.addFilters(tcpProxy(p.clusterName(), p.clusterName()));
        }
        if (tls) {
          fc.setTransportSocket(
              IstioTls.downstream(p.protocol().isHttp() ? List.of("h2", "http/1.1") : List.of()));
        }
        l.addFilterChains(fc);
      }
    }
    // Ports no service names: passed on, under the workload's policies and mTLS mode.
    Mtls workloadMode = authz.mtls(0);
    inspectTls |= workloadMode.mode() != MtlsMode.DISABLE;
    for (boolean tls : tlsVariants(workloadMode)) {
      FilterChain.Builder fc =
          FilterChain.newBuilder()
              .setName("virtualInbound-catchall-" + (tls ? "tls" : "plaintext"))
              .setFilterChainMatch(match(0, workloadMode, tls));
      authz.networkFilters().forEach(fc::addFilters);
      fc.addFilters(tcpProxy(INBOUND_PASSTHROUGH, INBOUND_PASSTHROUGH));
      if (tls) {
        fc.setTransportSocket(IstioTls.downstream(List.of()));
      }
      l.addFilterChains(fc);
    }
    if (inspectTls) {
      // Chains that match on the transport protocol need it detected.
      l.addListenerFilters(ListenerBuilder.TLS_INSPECTOR);
    }
    return l.build();
  }

  /** {@code inbound|PORT||} for each served port, and where unknown ports go. */
  List<Cluster> clusters(List<InboundPort> ports, ClusterBuilder clusterBuilder) {
    List<Cluster> out = new ArrayList<>();
    for (InboundPort p : ports) {
      Cluster c =
          p.endpointPort() > 0
              ? localEndpoint(p.clusterName(), p.endpointPort())
              : originalDestination(p.clusterName());
      out.add(clusterBuilder.withHttp2(c, p.protocol()));
    }
    out.add(originalDestination(INBOUND_PASSTHROUGH));
    return out;
  }

  /**
   * The template of a gRPC server listener for {@code port}, named and addressed 0.0.0.0; a request
   * for another address of the port is answered with a copy carrying that address.
   */
  Listener grpcServer(InboundPort port, WorkloadAuthz authz) {
    Mtls mtls = authz.mtls(port.port());
    // gRPC cannot tell TLS from plain text on one port: PERMISSIVE serves plain text, as Istio.
    boolean tls = mtls.mode() == MtlsMode.STRICT;
    List<HttpFilter> filters = new ArrayList<>(authz.httpFilters(DataPlane.GRPC));
    filters.add(ListenerBuilder.ROUTER_FILTER);
    HttpConnectionManager hcm =
        HttpConnectionManager.newBuilder()
            .setStatPrefix("inbound_" + port.port())
            .setRouteConfig(
                RouteConfiguration.newBuilder()
                    .setName("inbound")
                    .addVirtualHosts(
                        VirtualHost.newBuilder()
                            .setName("inbound|http|" + port.port())
                            .addDomains("*")
                            .addRoutes(
                                Route.newBuilder()
                                    .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                                    .setNonForwardingAction(
                                        NonForwardingAction.getDefaultInstance()))))
            .addAllHttpFilters(filters)
            .build();
    FilterChain.Builder fc =
        FilterChain.newBuilder()
            .setName(tls ? "inbound-mtls" : "inbound-plaintext")
            .addFilters(Filter.newBuilder().setName("inbound-hcm").setTypedConfig(Protos.any(hcm)));
    if (tls) {
      fc.setTransportSocket(IstioTls.grpcDownstream());
    }
    return Listener.newBuilder()
        .setName(GRPC_SERVER_PREFIX + "0.0.0.0:" + port.port())
        .setAddress(address("0.0.0.0", port.port()))
        .addFilterChains(fc)
        .build();
  }

  private static List<Boolean> tlsVariants(Mtls mtls) {
    return switch (mtls.mode()) {
      case STRICT -> List.of(true);
      case PERMISSIVE -> List.of(true, false);
      default -> List.of(false);
    };
  }

  private static FilterChainMatch match(int port, Mtls mtls, boolean tls) {
    FilterChainMatch.Builder m = FilterChainMatch.newBuilder();
    if (port > 0) {
      m.setDestinationPort(UInt32Value.of(port));
    }
    if (mtls.mode() != MtlsMode.DISABLE) {
      // Under STRICT, a plain-text connection matches no chain and is closed.
      m.setTransportProtocol(tls ? "tls" : "raw_buffer");
    }
    return m.build();
  }

  private Filter hcm(InboundPort p, WorkloadAuthz authz, Optional<TracingCollector> tracing) {
    HttpConnectionManager.Builder hcm =
        HttpConnectionManager.newBuilder()
            .setStatPrefix("inbound_0.0.0.0_" + p.port())
            .setRouteConfig(
                RouteConfiguration.newBuilder()
                    .setName(p.clusterName())
                    .setValidateClusters(BoolValue.of(false))
                    .addVirtualHosts(
                        VirtualHost.newBuilder()
                            .setName("inbound|http|" + p.port())
                            .addDomains("*")
                            .addRoutes(
                                Route.newBuilder()
                                    .setName("default")
                                    .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                                    .setRoute(
                                        RouteAction.newBuilder()
                                            .setCluster(p.clusterName())
                                            .setTimeout(Duration.getDefaultInstance())))));
    hcm.addAllHttpFilters(authz.httpFilters(DataPlane.ENVOY));
    hcm.addHttpFilters(ListenerBuilder.ROUTER_FILTER);
    Tracing.apply(hcm, tracing);
    return Filter.newBuilder()
        .setName(ListenerBuilder.HCM)
        .setTypedConfig(Protos.any(hcm.build()))
        .build();
  }

  private static Filter tcpProxy(String statPrefix, String cluster) {
    return Filter.newBuilder()
        .setName(ListenerBuilder.TCP_PROXY)
        .setTypedConfig(
            Protos.any(TcpProxy.newBuilder().setStatPrefix(statPrefix).setCluster(cluster).build()))
        .build();
  }

  /** Sends a connection to the app where a Sidecar's ingress says it listens (127.0.0.1:PORT). */
  private Cluster localEndpoint(String name, int port) {
    return Cluster.newBuilder()
        .setName(name)
        .setType(Cluster.DiscoveryType.STATIC)
        .setConnectTimeout(Protos.duration(mesh.connectTimeout()))
        .setLoadAssignment(
            ClusterLoadAssignment.newBuilder()
                .setClusterName(name)
                .addEndpoints(
                    LocalityLbEndpoints.newBuilder()
                        .setLocality(Locality.getDefaultInstance())
                        .addLbEndpoints(
                            LbEndpoint.newBuilder()
                                .setEndpoint(
                                    Endpoint.newBuilder().setAddress(address("127.0.0.1", port))))))
        .build();
  }

  /** Sends a connection on to where it was going (the app, on its own address). */
  private Cluster originalDestination(String name) {
    return Cluster.newBuilder()
        .setName(name)
        .setType(Cluster.DiscoveryType.ORIGINAL_DST)
        .setLbPolicy(Cluster.LbPolicy.CLUSTER_PROVIDED)
        .setConnectTimeout(Protos.duration(mesh.connectTimeout()))
        .setUpstreamBindConfig(
            BindConfig.newBuilder().setSourceAddress(address(INBOUND_SOURCE, 0).getSocketAddress()))
        .build();
  }

  static Address address(String ip, int port) {
    return Address.newBuilder()
        .setSocketAddress(SocketAddress.newBuilder().setAddress(ip).setPortValue(port))
        .build();
  }
}
