package dev.mizzen.pilot.generate;

import com.google.protobuf.UInt32Value;
import com.google.protobuf.UInt64Value;
import dev.mizzen.ingest.model.DestinationRuleSpec.ConnectionPool;
import dev.mizzen.ingest.model.DestinationRuleSpec.ConsistentHash;
import dev.mizzen.ingest.model.DestinationRuleSpec.LoadBalancer;
import dev.mizzen.ingest.model.DestinationRuleSpec.OutlierDetection;
import dev.mizzen.ingest.model.DestinationRuleSpec.TrafficPolicy;
import dev.mizzen.ingest.model.Protocol;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.UpstreamConnectionOptions;
import io.envoyproxy.envoy.config.core.v3.Http1ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.RoutingPriority;
import io.envoyproxy.envoy.config.core.v3.TcpKeepalive;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.type.v3.Percent;

/**
 * A DestinationRule's load balancer, connection pool and outlier detection on a cluster, as Istio
 * applies them; without a rule, Istio's defaults (no circuit breaking).
 */
final class ClusterPolicies {
  /** Istio lifts Envoy's default circuit breakers (1024 connections, 3 retries) to the maximum. */
  private static final long UNLIMITED = 4294967295L;

  private ClusterPolicies() {}

  static void apply(Cluster.Builder c, TrafficPolicy p, Protocol protocol, boolean forGrpc) {
    loadBalancer(c, p.loadBalancer(), forGrpc);
    connectionPool(c, p.connectionPool(), protocol, forGrpc);
    if (!forGrpc) {
      outlierDetection(c, p.outlierDetection());
    }
  }

  private static void loadBalancer(Cluster.Builder c, LoadBalancer lb, boolean forGrpc) {
    if (lb == null) {
      return;
    }
    if (lb.simple() != null) {
      switch (lb.simple()) {
        case ROUND_ROBIN -> c.setLbPolicy(Cluster.LbPolicy.ROUND_ROBIN);
        // grpc-js-xds refuses a cluster asking for LEAST_REQUEST; gRPC clients get round robin.
        case LEAST_CONN, LEAST_REQUEST ->
            c.setLbPolicy(forGrpc ? Cluster.LbPolicy.ROUND_ROBIN : Cluster.LbPolicy.LEAST_REQUEST);
        case RANDOM ->
            c.setLbPolicy(forGrpc ? Cluster.LbPolicy.ROUND_ROBIN : Cluster.LbPolicy.RANDOM);
        case PASSTHROUGH -> {
          if (!forGrpc) {
            // Istio: connections go where the client sent them.
            c.clearEdsClusterConfig()
                .clearLoadAssignment()
                .setType(Cluster.DiscoveryType.ORIGINAL_DST)
                .setLbPolicy(Cluster.LbPolicy.CLUSTER_PROVIDED);
          }
        }
      }
      return;
    }
    ConsistentHash h = lb.hash();
    if (h.maglevTableSize() > 0 && !forGrpc) {
      c.setLbPolicy(Cluster.LbPolicy.MAGLEV)
          .setMaglevLbConfig(
              Cluster.MaglevLbConfig.newBuilder()
                  .setTableSize(UInt64Value.of(h.maglevTableSize())));
      return;
    }
    c.setLbPolicy(Cluster.LbPolicy.RING_HASH);
    if (h.minimumRingSize() > 0) {
      c.setRingHashLbConfig(
          Cluster.RingHashLbConfig.newBuilder()
              .setMinimumRingSize(UInt64Value.of(h.minimumRingSize())));
    }
  }

  private static void connectionPool(
      Cluster.Builder c, ConnectionPool pool, Protocol protocol, boolean forGrpc) {
    if (forGrpc) {
      // grpc-java honours only max_requests of the circuit breakers.
      if (pool != null && pool.http2MaxRequests() != null) {
        c.setCircuitBreakers(
            CircuitBreakers.newBuilder()
                .addThresholds(
                    CircuitBreakers.Thresholds.newBuilder()
                        .setMaxRequests(UInt32Value.of(pool.http2MaxRequests()))));
      }
      return;
    }
    CircuitBreakers.Thresholds.Builder t =
        CircuitBreakers.Thresholds.newBuilder()
            .setPriority(RoutingPriority.DEFAULT)
            .setMaxConnections(u32(pool == null ? null : pool.maxConnections()))
            .setMaxPendingRequests(u32(pool == null ? null : pool.http1MaxPendingRequests()))
            .setMaxRequests(u32(pool == null ? null : pool.http2MaxRequests()))
            .setMaxRetries(u32(pool == null ? null : pool.maxRetries()))
            .setTrackRemaining(true);
    c.setCircuitBreakers(CircuitBreakers.newBuilder().addThresholds(t));
    if (pool == null) {
      return;
    }
    if (pool.connectTimeout() != null) {
      c.setConnectTimeout(Protos.duration(pool.connectTimeout()));
    }
    if (pool.keepalive()) {
      TcpKeepalive.Builder k = TcpKeepalive.newBuilder();
      if (pool.tcpKeepaliveProbes() != null) {
        k.setKeepaliveProbes(UInt32Value.of(pool.tcpKeepaliveProbes()));
      }
      if (pool.tcpKeepaliveTime() != null) {
        k.setKeepaliveTime(UInt32Value.of((int) pool.tcpKeepaliveTime().getSeconds()));
      }
      if (pool.tcpKeepaliveInterval() != null) {
        k.setKeepaliveInterval(UInt32Value.of((int) pool.tcpKeepaliveInterval().getSeconds()));
      }
      c.setUpstreamConnectionOptions(UpstreamConnectionOptions.newBuilder().setTcpKeepalive(k));
    }
    if (!protocol.isHttp()) {
      return;
    }
    io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions.Builder common =
        io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions.newBuilder();
    if (pool.httpIdleTimeout() != null) {
      common.setIdleTimeout(Protos.duration(pool.httpIdleTimeout()));
    }
    if (pool.maxRequestsPerConnection() != null && pool.maxRequestsPerConnection() > 0) {
      common.setMaxRequestsPerConnection(UInt32Value.of(pool.maxRequestsPerConnection()));
    }
    if (pool.maxConnectionDuration() != null) {
      common.setMaxConnectionDuration(Protos.duration(pool.maxConnectionDuration()));
    }
    boolean http2 = protocol.isHttp2() || "UPGRADE".equals(pool.h2UpgradePolicy());
    if (!isEmpty(common) || http2 || Boolean.TRUE.equals(pool.useClientProtocol())) {
      HttpProtocolOptions.Builder options = HttpProtocolOptions.newBuilder();
      if (!isEmpty(common)) {
        options.setCommonHttpProtocolOptions(common);
      }
      Http2ProtocolOptions.Builder h2 = Http2ProtocolOptions.newBuilder();
      if (pool.maxConcurrentStreams() != null) {
        h2.setMaxConcurrentStreams(UInt32Value.of(pool.maxConcurrentStreams()));
      }
      if (Boolean.TRUE.equals(pool.useClientProtocol())) {
        options.setUseDownstreamProtocolConfig(
            HttpProtocolOptions.UseDownstreamHttpConfig.newBuilder()
                .setHttpProtocolOptions(Http1ProtocolOptions.getDefaultInstance())
                .setHttp2ProtocolOptions(h2));
      } else if (http2) {
        options.setExplicitHttpConfig(
            HttpProtocolOptions.ExplicitHttpConfig.newBuilder().setHttp2ProtocolOptions(h2));
      } else {
        options.setExplicitHttpConfig(
            HttpProtocolOptions.ExplicitHttpConfig.newBuilder()
                .setHttpProtocolOptions(Http1ProtocolOptions.getDefaultInstance()));
      }
      c.putTypedExtensionProtocolOptions(
          ClusterBuilder.HTTP_PROTOCOL_OPTIONS, Protos.any(options.build()));
    }
  }

  private static boolean isEmpty(
      io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions.Builder common) {
    return common
        .build()
        .equals(io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions.getDefaultInstance());
  }

  private static void outlierDetection(Cluster.Builder c, OutlierDetection o) {
    if (o == null) {
      return;
    }
    var out =
        io.envoyproxy.envoy.config.cluster.v3.OutlierDetection.newBuilder()
            .setEnforcingSuccessRate(UInt32Value.of(0));
    if (o.consecutive5xxErrors() != null) {
      out.setConsecutive5Xx(UInt32Value.of(o.consecutive5xxErrors()))
          .setEnforcingConsecutive5Xx(UInt32Value.of(o.consecutive5xxErrors() > 0 ? 100 : 0));
    }
    if (o.consecutiveGatewayErrors() != null) {
      out.setConsecutiveGatewayFailure(UInt32Value.of(o.consecutiveGatewayErrors()))
          .setEnforcingConsecutiveGatewayFailure(
              UInt32Value.of(o.consecutiveGatewayErrors() > 0 ? 100 : 0));
    }
    if (Boolean.TRUE.equals(o.splitExternalLocalOriginErrors())) {
      out.setSplitExternalLocalOriginErrors(true);
      if (o.consecutiveLocalOriginFailures() != null) {
        out.setConsecutiveLocalOriginFailure(UInt32Value.of(o.consecutiveLocalOriginFailures()))
            .setEnforcingConsecutiveLocalOriginFailure(UInt32Value.of(100));
      }
    }
    if (o.interval() != null) {
      out.setInterval(Protos.duration(o.interval()));
    }
    if (o.baseEjectionTime() != null) {
      out.setBaseEjectionTime(Protos.duration(o.baseEjectionTime()));
    }
    if (o.maxEjectionPercent() != null) {
      out.setMaxEjectionPercent(UInt32Value.of(o.maxEjectionPercent()));
    }
    c.setOutlierDetection(out);
    if (o.minHealthPercent() != null) {
      c.setCommonLbConfig(
          Cluster.CommonLbConfig.newBuilder()
              .setHealthyPanicThreshold(Percent.newBuilder().setValue(o.minHealthPercent())));
    }
  }

  private static UInt32Value u32(Integer v) {
    return v == null ? UInt32Value.of((int) UNLIMITED) : UInt32Value.of(v);
  }
}
