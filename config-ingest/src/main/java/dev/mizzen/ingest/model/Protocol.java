package dev.mizzen.ingest.model;

import java.util.Locale;
import java.util.Optional;

/**
 * The application protocol of a service port, chosen as Istio chooses it: from {@code appProtocol},
 * else from the port name's prefix ({@code http-web}, {@code grpc}, {@code tcp-db}).
 */
public enum Protocol {
  HTTP,
  HTTP2,
  GRPC,
  GRPC_WEB,
  HTTPS,
  TLS,
  TCP,
  UDP,
  MONGO,
  MYSQL,
  REDIS,
  /** Neither the name nor appProtocol says; treated as HTTP, as protocol sniffing would. */
  UNSPECIFIED;

  /** Istio's rule: appProtocol wins, then the port name up to its first '-'. */
  public static Protocol of(String portName, String appProtocol, String transport) {
    if ("UDP".equalsIgnoreCase(transport)) {
      return UDP;
    }
    Protocol fromApp = parse(appProtocol);
    if (fromApp != UNSPECIFIED) {
      return fromApp;
    }
    String name = portName == null ? "" : portName;
    int dash = name.indexOf('-');
    return parse(dash < 0 ? name : name.substring(0, dash));
  }

  private static Protocol parse(String value) {
    if (value == null || value.isEmpty()) {
      return UNSPECIFIED;
    }
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "http" -> HTTP;
      case "http2", "h2c", "kubernetes.io/h2c" -> HTTP2;
      case "grpc" -> GRPC;
      case "grpc-web" -> GRPC_WEB;
      case "https" -> HTTPS;
      case "tls" -> TLS;
      case "tcp" -> TCP;
      case "udp" -> UDP;
      case "mongo" -> MONGO;
      case "mysql" -> MYSQL;
      case "redis" -> REDIS;
      default -> UNSPECIFIED;
    };
  }

  /**
   * A protocol as Istio's own kinds name it on ports (Gateway, ServiceEntry, Sidecar), in any case;
   * empty when Istio knows no such protocol.
   */
  public static Optional<Protocol> fromIstioName(String value) {
    Protocol p = parse(value);
    return p == UNSPECIFIED || value.equalsIgnoreCase("h2c") || value.contains("/")
        ? Optional.empty()
        : Optional.of(p);
  }

  /** Whether traffic on the port is routed by HTTP routes. */
  public boolean isHttp() {
    return switch (this) {
      case HTTP, HTTP2, GRPC, GRPC_WEB, UNSPECIFIED -> true;
      default -> false;
    };
  }

  /** Whether upstream connections must speak HTTP/2. */
  public boolean isHttp2() {
    return this == HTTP2 || this == GRPC;
  }
}
