package dev.mizzen.pilot.debug;

import dev.mizzen.authz.explain.RequestDescription;
import dev.mizzen.pilot.generate.GroupKey;
import dev.mizzen.pilot.proxy.Proxy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a request described in query parameters: {@code method}, {@code path}, {@code host}, {@code
 * header=NAME:VALUE} (repeatable), {@code port} (default: the workload's first served port), {@code
 * sourceIp}, {@code remoteIp}, {@code principal} (the peer's identity), {@code
 * requestPrincipal=ISSUER/SUBJECT}, {@code claim=NAME:VALUE} (repeatable), {@code sni}.
 */
final class RequestParams {
  private RequestParams() {}

  static RequestDescription read(Map<String, List<String>> q, GroupKey key) {
    String method = one(q, "method", key.generator() == Proxy.Generator.GRPC ? "POST" : "GET");
    String path = one(q, "path", "/");
    Map<String, String> headers = new LinkedHashMap<>();
    for (String h : q.getOrDefault("header", List.of())) {
      String[] kv = pair(h, "header");
      headers.put(kv[0], kv[1]);
    }
    int port = key.inbound().isEmpty() ? 0 : key.inbound().get(0).port();
    String written = one(q, "port", "");
    if (!written.isEmpty()) {
      try {
        port = Integer.parseInt(written);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("port must be a number, not \"" + written + "\"");
      }
    }
    Map<String, List<String>> claims = new LinkedHashMap<>();
    for (String c : q.getOrDefault("claim", List.of())) {
      String[] kv = pair(c, "claim");
      claims.computeIfAbsent(kv[0], k -> new ArrayList<>()).add(kv[1]);
    }
    String requestPrincipal = one(q, "requestPrincipal", "");
    if (!requestPrincipal.isEmpty()) {
      int slash = requestPrincipal.lastIndexOf('/');
      if (slash < 0) {
        throw new IllegalArgumentException("requestPrincipal must be ISSUER/SUBJECT");
      }
      claims.put("iss", List.of(requestPrincipal.substring(0, slash)));
      claims.put("sub", List.of(requestPrincipal.substring(slash + 1)));
    }
    String principal = one(q, "principal", "");
    if (!principal.isEmpty() && !principal.startsWith("spiffe://")) {
      principal = "spiffe://" + principal;
    }
    return new RequestDescription(
        method,
        path,
        one(q, "host", ""),
        headers,
        port,
        "",
        one(q, "sourceIp", ""),
        one(q, "remoteIp", ""),
        principal,
        one(q, "sni", ""),
        claims);
  }

  private static String[] pair(String text, String what) {
    int colon = text.indexOf(':', 1);
    if (colon < 0) {
      throw new IllegalArgumentException(what + " must be NAME:VALUE, not \"" + text + "\"");
    }
    return new String[] {text.substring(0, colon).trim(), text.substring(colon + 1).trim()};
  }

  private static String one(Map<String, List<String>> q, String key, String otherwise) {
    List<String> v = q.get(key);
    return v == null || v.isEmpty() ? otherwise : v.get(0);
  }
}
