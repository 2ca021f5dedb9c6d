package dev.mizzen.ingest.parse;

import java.util.List;
import java.util.regex.Pattern;

/** Istio's rules for host names in config: DNS names, optionally with a leading wildcard. */
final class Hosts {
  private static final Pattern LABEL = Pattern.compile("[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?");

  private Hosts() {}

  /**
   * @param wildcards whether "*" and "*.suffix" are allowed
   */
  static void requireHost(String host, String field, boolean wildcards) throws FieldException {
    if (host == null || host.isEmpty()) {
      throw new FieldException(field, "empty host");
    }
    if (wildcards && host.equals("*")) {
      return;
    }
    String rest = wildcards && host.startsWith("*.") ? host.substring(2) : host;
    if (rest.length() > 253 || rest.isEmpty()) {
      throw new FieldException(field, "\"" + host + "\" is not a valid host name");
    }
    for (String label : rest.split("\\.", -1)) {
      if (label.length() > 63 || !LABEL.matcher(label).matches()) {
        throw new FieldException(
            field,
            "\""
                + host
                + "\" is not a valid host name: DNS labels of letters, digits and '-'"
                + (wildcards ? ", optionally after a leading \"*.\"" : ""));
      }
    }
  }

  /**
   * Whether {@code name} is one of {@code hosts} or falls under one: "*" covers everything,
   * "*.example.com" covers its subdomains, and a short name "reviews" covers "reviews.NS..." names.
   */
  static boolean coveredByAny(String name, List<String> hosts, String namespace) {
    for (String h : hosts) {
      if (covers(h, name, namespace)) {
        return true;
      }
    }
    return false;
  }

  static boolean covers(String host, String name, String namespace) {
    if (host.equals("*") || host.equals(name)) {
      return true;
    }
    if (host.startsWith("*.")) {
      return name.endsWith(host.substring(1))
          || name.startsWith("*.") && name.endsWith(host.substring(1));
    }
    if (!host.contains(".")) {
      return name.startsWith(host + "." + namespace + ".") || name.equals(host + "." + namespace);
    }
    return false;
  }
}
