package dev.mizzen.pilot.generate;

import com.google.protobuf.BoolValue;
import dev.mizzen.pilot.push.TracingCollector;
import io.envoyproxy.envoy.config.trace.v3.ZipkinConfig;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.type.v3.Percent;
import java.util.Optional;

/**
 * The Zipkin tracer Maistra's proxies report spans with, to the Jaeger collector's Zipkin port, on
 * every HTTP connection manager of Envoy proxies (proxyless gRPC has no tracer to configure).
 */
final class Tracing {
  static final String ZIPKIN = "envoy.tracers.zipkin";

  private Tracing() {}

  static void apply(HttpConnectionManager.Builder hcm, Optional<TracingCollector> collector) {
    if (collector.isEmpty()) {
      return;
    }
    TracingCollector c = collector.get();
    ZipkinConfig zipkin =
        ZipkinConfig.newBuilder()
            .setCollectorCluster(cluster(c))
            .setCollectorEndpoint("/api/v2/spans")
            .setCollectorEndpointVersion(ZipkinConfig.CollectorEndpointVersion.HTTP_JSON)
            .setCollectorHostname(c.address())
            .setTraceId128Bit(true)
            .setSharedSpanContext(BoolValue.of(false))
            .build();
    hcm.setTracing(
        HttpConnectionManager.Tracing.newBuilder()
            .setProvider(
                io.envoyproxy.envoy.config.trace.v3.Tracing.Http.newBuilder()
                    .setName(ZIPKIN)
                    .setTypedConfig(Protos.any(zipkin)))
            .setRandomSampling(Percent.newBuilder().setValue(c.samplingPercent()))
            .setClientSampling(Percent.newBuilder().setValue(100))
            .setOverallSampling(Percent.newBuilder().setValue(100)));
  }

  /** The collector's cluster, which every traced proxy is sent whatever its Sidecar scope. */
  static String cluster(TracingCollector c) {
    return ClusterNames.outbound(c.port(), "", c.service().hostname());
  }
}
