package dev.mizzen.pilot.generate;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import java.time.Duration;

/** Small protobuf values every builder needs. */
final class Protos {
  static final ConfigSource ADS =
      ConfigSource.newBuilder()
          .setAds(AggregatedConfigSource.getDefaultInstance())
          .setResourceApiVersion(ApiVersion.V3)
          .build();

  /** The Istio agent's SDS server beside the proxy (cluster {@code sds-grpc} of its bootstrap). */
  static final ConfigSource AGENT_SDS =
      ConfigSource.newBuilder()
          .setApiConfigSource(
              ApiConfigSource.newBuilder()
                  .setApiType(ApiConfigSource.ApiType.GRPC)
                  .setSetNodeOnFirstMessageOnly(true)
                  .setTransportApiVersion(ApiVersion.V3)
                  .addGrpcServices(
                      GrpcService.newBuilder().setEnvoyGrpc(GrpcService.EnvoyGrpc.newBuilder().setClusterName("sds-grpc"))))
          .setResourceApiVersion(ApiVersion.V3)
          .build();

  private Protos() {}

  static com.google.protobuf.Duration duration(Duration d) {
    return com.google.protobuf.Duration.newBuilder()
        .setSeconds(d.getSeconds())
        .setNanos(d.getNano())
        .build();
  }

  static Any any(Message m) {
    return Any.pack(m);
  }

  /** Istio's percentages as Envoy's fractions: per million, so that 0.0001% still counts. */
  static FractionalPercent percent(double percent) {
    return FractionalPercent.newBuilder()
        .setNumerator((int) Math.round(percent * 10_000))
        .setDenominator(FractionalPercent.DenominatorType.MILLION)
        .build();
  }
}
