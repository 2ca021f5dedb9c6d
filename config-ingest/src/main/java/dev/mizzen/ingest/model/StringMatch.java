package dev.mizzen.ingest.model;

import java.util.Objects;

/**
 * Istio's StringMatch: exact, prefix or RE2 regular expression.
 *
 * @param type how to compare
 * @param value what to compare with; for REGEX a pattern RE2 accepts
 */
public record StringMatch(Type type, String value) {

  public enum Type {
    EXACT,
    PREFIX,
    REGEX
  }

  public StringMatch {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(value, "value");
  }

  public static StringMatch exact(String value) {
    return new StringMatch(Type.EXACT, value);
  }

  public static StringMatch prefix(String value) {
    return new StringMatch(Type.PREFIX, value);
  }

  public static StringMatch regex(String value) {
    return new StringMatch(Type.REGEX, value);
  }
}
