package dev.mizzen.pilot.generate;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import java.time.Duration;

/** Small protobuf values every builder needs. */
final class Protos {
  static final ConfigSource ADS =
      ConfigSource.newBuilder()
          .setAds(AggregatedConfigSource.getDefaultInstance())
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
