package dev.mizzen.authz.explain;

/**
 * Envoy's URI template matching, for the templates Istio writes: {@code *} is one path segment,
 * {@code **} any number of them (at least one), every other segment literal.
 */
final class UriTemplates {
  private UriTemplates() {}

  static boolean matches(String template, String path) {
    return match(template.split("/", -1), 0, path.split("/", -1), 0);
  }

  private static boolean match(String[] t, int ti, String[] p, int pi) {
    if (ti == t.length) {
      return pi == p.length;
    }
    if (t[ti].equals("**")) {
      for (int end = pi + 1; end <= p.length; end++) {
        if (match(t, ti + 1, p, end)) {
          return true;
        }
      }
      return false;
    }
    if (pi == p.length) {
      return false;
    }
    boolean segment = t[ti].equals("*") ? !p[pi].isEmpty() : t[ti].equals(p[pi]);
    return segment && match(t, ti + 1, p, pi + 1);
  }
}
