package dev.mizzen.ingest.parse;

import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.ConfigError;

/**
 * What became of one object read from a source: accepted with its translated config, refused with
 * the reason, or, for a security kind, refused and served fail closed: a stand-in config that
 * denies rather than allows takes its place, carrying the reason.
 *
 * @param config the accepted object or its fail-closed stand-in; null when refused outright
 * @param error why it was refused; null when accepted
 */
public record ParseResult(Config<?> config, ConfigError error) {

  public ParseResult {
    if (config == null && error == null) {
      throw new IllegalArgumentException("a config, an error, or a stand-in with its error");
    }
    if (config != null && error != config.failedClosed()) {
      throw new IllegalArgumentException("the error of a stand-in is the one it carries");
    }
  }

  public static ParseResult accepted(Config<?> config) {
    if (config.isStandIn()) {
      throw new IllegalArgumentException("a stand-in is not accepted, it is served fail closed");
    }
    return new ParseResult(config, null);
  }

  public static ParseResult refused(ConfigError error) {
    return new ParseResult(null, error);
  }

  /** The object was refused and {@code standIn} is served in its place. */
  public static ParseResult servedFailClosed(Config<?> standIn) {
    return new ParseResult(standIn, standIn.failedClosed());
  }

  /** Whether the object was read as written. */
  public boolean isAccepted() {
    return error == null;
  }

  /** Whether something is served for the object: itself, or its fail-closed stand-in. */
  public boolean isServed() {
    return config != null;
  }

  /** Whether the object was refused and a fail-closed stand-in is served in its place. */
  public boolean isServedFailClosed() {
    return config != null && error != null;
  }
}
