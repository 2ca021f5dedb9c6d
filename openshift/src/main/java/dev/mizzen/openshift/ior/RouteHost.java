package dev.mizzen.openshift.ior;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One host of a Gateway server as a Route carries it. A {@code namespace/} prefix is dropped (a
 * Route has no such scope); {@code *} becomes a Route without a host, for which OpenShift makes up
 * its default host name; {@code *.example.com} becomes {@code wildcard.example.com} with the
 * Subdomain wildcard policy, which admits every host under {@code example.com} where the router
 * allows wildcards.
 *
 * @param written the host as the Gateway writes it
 * @param hostPart the host without its namespace part; the Route's name derives from it
 * @param host the Route's {@code spec.host}, empty for the catch-all
 * @param subdomain whether the Route has {@code wildcardPolicy: Subdomain}
 */
record RouteHost(String written, String hostPart, String host, boolean subdomain) {
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  static final String CATCH_ALL = "*";
  private static final String WILDCARD_PREFIX = "wildcard.";

  /** Why no Route can carry {@code written}, if none can. */
  static Optional<String> problem(String written) {
    RouteHost h = of(written);
    if (h.catchAll()) {
      return Optional.empty();
    }
    if (h.host().length() > 253 || !DNS_SUBDOMAIN.matcher(h.host()).matches()) {
      return Optional.of(
          "\""
              + h.hostPart()
              + "\" is not a host name a Route accepts (lower-case letters, digits, '-' and '.', at most"
              + " 253 characters, a wildcard only as the whole first label)");
    }
    return Optional.empty();
  }

  static RouteHost of(String written) {
    int slash = written.indexOf('/');
    String part = slash < 0 ? written : written.substring(slash + 1);
    if (part.equals(CATCH_ALL)) {
      return new RouteHost(written, part, "", false);
    }
    if (part.startsWith("*.")) {
      return new RouteHost(written, part, WILDCARD_PREFIX + part.substring(2), true);
    }
    return new RouteHost(written, part, part, false);
  }

  boolean catchAll() {
    return hostPart.equals(CATCH_ALL);
  }

  /** {@code <gateway namespace>-<gateway name>-<first 8 hex digits of the host part's SHA-256>}. */
  String routeName(String gatewayNamespace, String gatewayName) {
    return gatewayNamespace + "-" + gatewayName + "-" + hash(hostPart);
  }

  static String hash(String value) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
