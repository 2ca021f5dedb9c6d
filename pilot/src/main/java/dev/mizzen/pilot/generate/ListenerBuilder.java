package dev.mizzen.pilot.generate;

import com.google.protobuf.BoolValue;
import dev.mizzen.pilot.push.TracingCollector;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.listener.v3.ApiListener;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import java.util.Optional;

/** Builds listeners as Istio shapes them for sidecars and for proxyless gRPC clients. */
final class ListenerBuilder {
  static final String HCM = "envoy.filters.network.http_connection_manager";
  static final String TCP_PROXY = "envoy.filters.network.tcp_proxy";
  static final String ROUTER = "envoy.filters.http.router";
  static final String FAULT = RouteBuilder.FAULT_FILTER;
  static final String CORS = RouteBuilder.CORS_FILTER;
  static final int VIRTUAL_OUTBOUND_PORT = 15001;

  static final HttpFilter ROUTER_FILTER =
      HttpFilter.newBuilder()
          .setName(ROUTER)
          .setTypedConfig(Protos.any(Router.getDefaultInstance()))
          .build();
  static final HttpFilter FAULT_FILTER =
      HttpFilter.newBuilder()
          .setName(FAULT)
          .setTypedConfig(Protos.any(HTTPFault.getDefaultInstance()))
          .build();

  /** Detects TLS and reads the server name, for chains matching on either. */
  static final ListenerFilter TLS_INSPECTOR =
      ListenerFilter.newBuilder()
          .setName("envoy.filters.listener.tls_inspector")
          .setTypedConfig(Protos.any(TlsInspector.getDefaultInstance()))
          .build();

  static final HttpFilter CORS_FILTER =
      HttpFilter.newBuilder()
          .setName(CORS)
          .setTypedConfig(Protos.any(Cors.getDefaultInstance()))
          .build();

  private ListenerBuilder() {}

  /**
   * {@code 0.0.0.0_PORT}: HTTP traffic to any service on the port, routed by RDS "PORT", through
   * the fault and CORS filters that routes configure.
   */
  static Listener httpOutbound(int port, Optional<TracingCollector> tracing) {
    String name = "0.0.0.0_" + port;
    HttpConnectionManager.Builder hcm =
        HttpConnectionManager.newBuilder()
            .setStatPrefix("outbound_" + name)
            .setRds(
                Rds.newBuilder()
                    .setRouteConfigName(String.valueOf(port))
                    .setConfigSource(Protos.ADS))
            .addHttpFilters(FAULT_FILTER)
            .addHttpFilters(CORS_FILTER)
            .addHttpFilters(ROUTER_FILTER);
    Tracing.apply(hcm, tracing);
    return Listener.newBuilder()
        .setName(name)
        .setAddress(address("0.0.0.0", port))
        .setBindToPort(BoolValue.of(false))
        .setTrafficDirection(TrafficDirection.OUTBOUND)
        .addFilterChains(
            FilterChain.newBuilder()
                .addFilters(
                    Filter.newBuilder().setName(HCM).setTypedConfig(Protos.any(hcm.build()))))
        .build();
  }

  /**
   * {@code virtualOutbound}: where iptables sends all outbound traffic; hands connections to the
   * listener of their original destination, and passes (or drops) the rest.
   */
  static Listener virtualOutbound(String fallbackCluster) {
    return Listener.newBuilder()
        .setName("virtualOutbound")
        .setAddress(address("0.0.0.0", VIRTUAL_OUTBOUND_PORT))
        .setUseOriginalDst(BoolValue.of(true))
        .setTrafficDirection(TrafficDirection.OUTBOUND)
        .addFilterChains(
            FilterChain.newBuilder()
                .setName("virtualOutbound-catchall-tcp")
                .addFilters(tcpProxy(fallbackCluster, fallbackCluster)))
        .build();
  }

  /**
   * The client listener of a proxyless gRPC client: an API listener using RDS {@code routeName}.
   * gRPC keeps no statistics by prefix, but Envoy's rules require one: the listener's name.
   */
  static Listener grpcClient(String name, String routeName) {
    HttpConnectionManager hcm =
        HttpConnectionManager.newBuilder()
            .setStatPrefix(name)
            .setRds(Rds.newBuilder().setRouteConfigName(routeName).setConfigSource(Protos.ADS))
            .addHttpFilters(FAULT_FILTER)
            .addHttpFilters(ROUTER_FILTER)
            .build();
    return Listener.newBuilder()
        .setName(name)
        .setApiListener(ApiListener.newBuilder().setApiListener(Protos.any(hcm)))
        .build();
  }

  private static Filter tcpProxy(String statPrefix, String cluster) {
    return Filter.newBuilder()
        .setName(TCP_PROXY)
        .setTypedConfig(
            Protos.any(TcpProxy.newBuilder().setStatPrefix(statPrefix).setCluster(cluster).build()))
        .build();
  }

  private static Address address(String ip, int port) {
    return Address.newBuilder()
        .setSocketAddress(SocketAddress.newBuilder().setAddress(ip).setPortValue(port))
        .build();
  }
}
