package dev.mizzen.ingest.model;

import java.util.Objects;

/**
 * Istio's StringMatch: exact, prefix or RE2 regular expression.
 *
 * @param type how to compare
 * @param value what to compare with; for REGEX a pattern RE2 accepts
 * @param re2ProgramSize for REGEX, the size of the program RE2 compiles it into (what Envoy
 *     compares with its limit; {@link Integer#MAX_VALUE} when RE2 would not compile it at all); 0
 *     otherwise
 */
public record StringMatch(Type type, String value, int re2ProgramSize) {
  /**
   * The largest RE2 program Istio's Envoy proxies accept: {@code re2.max_program_size.error_level}
   * as Istio's agent sets it for every sidecar and gateway (Envoy's own default is 100). Proxyless
   * gRPC clients have no limit.
   */
  public static final int ENVOY_PROGRAM_SIZE_LIMIT = 32768;

  public enum Type {
    EXACT,
    PREFIX,
    REGEX
  }

  public StringMatch {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(value, "value");
    if ((type == Type.REGEX) != (re2ProgramSize > 0)) {
      throw new IllegalArgumentException("a program size is for regular expressions only");
    }
  }

  public static StringMatch exact(String value) {
    return new StringMatch(Type.EXACT, value, 0);
  }

  public static StringMatch prefix(String value) {
    return new StringMatch(Type.PREFIX, value, 0);
  }

  public static StringMatch regex(String value, int re2ProgramSize) {
    return new StringMatch(Type.REGEX, value, re2ProgramSize);
  }
}
