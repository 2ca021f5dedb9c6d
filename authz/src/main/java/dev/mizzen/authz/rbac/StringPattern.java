package dev.mizzen.authz.rbac;

import java.util.Objects;

/**
 * How a string is compared: Envoy's StringMatcher, before it is one.
 *
 * @param kind how to compare
 * @param value what to compare with; an RE2 pattern for REGEX
 * @param ignoreCase whether case is ignored (Istio ignores it for hosts)
 */
public record StringPattern(Kind kind, String value, boolean ignoreCase) {

  /** The comparisons Envoy's StringMatcher offers that Istio uses. */
  public enum Kind {
    EXACT,
    PREFIX,
    SUFFIX,
    REGEX
  }

  public StringPattern {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(value, "value");
  }

  public static StringPattern exact(String value) {
    return new StringPattern(Kind.EXACT, value, false);
  }

  public static StringPattern prefix(String value) {
    return new StringPattern(Kind.PREFIX, value, false);
  }

  public static StringPattern suffix(String value) {
    return new StringPattern(Kind.SUFFIX, value, false);
  }

  public static StringPattern regex(String value) {
    return new StringPattern(Kind.REGEX, value, false);
  }
}
