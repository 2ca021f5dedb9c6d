package dev.mizzen.pilot.push;

import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.ConfigError;
import java.util.Comparator;

/**
 * The push's own warnings: config that is served, but not as written to every proxy (a regular
 * expression too large for Envoy, what proxyless gRPC clients cannot do, DestinationRules merged or
 * hidden). What is wrong across objects is the analysis' ({@code dev.mizzen.pilot.analysis}).
 */
final class Warnings {
  static final Comparator<ConfigError> ORDER =
      Comparator.comparing(ConfigError::namespace)
          .thenComparing(ConfigError::kind)
          .thenComparing(ConfigError::name)
          .thenComparing(ConfigError::field)
          .thenComparing(ConfigError::reason);

  private Warnings() {}

  static ConfigError warning(Config<?> c, String field, String reason) {
    return new ConfigError(c.origin(), c.kind().name(), c.namespace(), c.name(), field, reason);
  }
}
