package dev.mizzen.ingest.parse;

import dev.mizzen.ingest.model.Protocol;
import java.util.Locale;
import java.util.Set;

/** Port protocols of Istio's own kinds; QUIC and HTTP/3 are refused, as Maistra serves neither. */
final class Protocols {
  static final String NO_QUIC =
      "QUIC and HTTP/3 are not supported: Maistra's proxies serve no QUIC listeners; use HTTPS or HTTP2";
  private static final Set<String> QUIC = Set.of("QUIC", "HTTP3", "HTTP/3", "H3");

  private Protocols() {}

  static Protocol require(String value, String field) throws FieldException {
    if (value == null || value.isEmpty()) {
      throw new FieldException(field, "required");
    }
    if (QUIC.contains(value.toUpperCase(Locale.ROOT))) {
      throw new FieldException(field, NO_QUIC);
    }
    return Protocol.fromIstioName(value)
        .orElseThrow(
            () ->
                new FieldException(
                    field,
                    "unknown protocol \""
                        + value
                        + "\"; use HTTP, HTTPS, HTTP2, GRPC, GRPC-WEB, TCP, TLS, MONGO, MYSQL, REDIS or UDP"));
  }
}
