package dev.mizzen.authz.explain;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A request as someone describes it to ask which policy decides it. Everything left out is absent
 * from the request: no header, no peer identity (plain text), no token.
 *
 * @param method the HTTP method (gRPC: POST)
 * @param path the path, with its query if any
 * @param host the Host (:authority) header, empty for none
 * @param headers other headers by lower-case name
 * @param destinationPort the workload port the request came to
 * @param destinationIp the workload address it came to, empty when unknown
 * @param sourceIp the connection's peer address, empty when unknown
 * @param remoteIp the original client address, empty to take {@code sourceIp}
 * @param sourcePrincipal the peer's mTLS identity with its scheme
 *     ("spiffe://cluster.local/ns/a/sa/b"), empty for plain text
 * @param sni the TLS server name, empty for none
 * @param claims verified JWT claims by path ("iss", "sub", "groups", "a.b"), empty without a token
 */
public record RequestDescription(
    String method,
    String path,
    String host,
    Map<String, String> headers,
    int destinationPort,
    String destinationIp,
    String sourceIp,
    String remoteIp,
    String sourcePrincipal,
    String sni,
    Map<String, List<String>> claims) {

  public RequestDescription {
    Objects.requireNonNull(method);
    Objects.requireNonNull(path);
    Objects.requireNonNull(host);
    Map<String, String> lower = new TreeMap<>();
    headers.forEach((k, v) -> lower.put(k.toLowerCase(Locale.ROOT), v));
    headers = Map.copyOf(lower);
    Objects.requireNonNull(destinationIp);
    Objects.requireNonNull(sourceIp);
    Objects.requireNonNull(remoteIp);
    Objects.requireNonNull(sourcePrincipal);
    Objects.requireNonNull(sni);
    claims = Map.copyOf(claims);
  }

  /** A header by lower-case name, pseudo-headers included; null when absent. */
  public String header(String name) {
    return switch (name) {
      case ":method" -> method;
      case ":path" -> path;
      case ":authority", "host" -> host.isEmpty() ? null : host;
      default -> headers.get(name);
    };
  }

  /** The original client address: as given, else the peer's. */
  @Override
  public String remoteIp() {
    return remoteIp.isEmpty() ? sourceIp : remoteIp;
  }
}
