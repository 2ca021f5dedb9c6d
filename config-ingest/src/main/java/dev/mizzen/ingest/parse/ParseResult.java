package dev.mizzen.ingest.parse;

import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.ConfigError;

/**
 * What became of one object read from a source: accepted with its translated config, or refused
 * with the reason.
 *
 * @param config the accepted object, null when refused
 * @param error why it was refused, null when accepted
 */
public record ParseResult(Config<?> config, ConfigError error) {

  public ParseResult {
    if ((config == null) == (error == null)) {
      throw new IllegalArgumentException("exactly one of config and error");
    }
  }

  public static ParseResult accepted(Config<?> config) {
    return new ParseResult(config, null);
  }

  public static ParseResult refused(ConfigError error) {
    return new ParseResult(null, error);
  }

  public boolean isAccepted() {
    return config != null;
  }
}
