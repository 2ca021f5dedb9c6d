package dev.mizzen.ingest.parse;

import java.util.Set;

/** Istio's retryOn: Envoy's HTTP and gRPC retry conditions, and HTTP status codes. */
final class RetryConditions {
  static final Set<String> KNOWN =
      Set.of(
          "5xx",
          "gateway-error",
          "reset",
          "reset-before-request",
          "connect-failure",
          "envoy-ratelimited",
          "retriable-4xx",
          "refused-stream",
          "retriable-status-codes",
          "retriable-headers",
          "http3-post-connect-failure",
          "cancelled",
          "deadline-exceeded",
          "internal",
          "resource-exhausted",
          "unavailable");

  private RetryConditions() {}

  static void check(String retryOn, String field) throws FieldException {
    if (retryOn.isEmpty()) {
      return;
    }
    for (String part : retryOn.split(",", -1)) {
      String c = part.trim();
      if (KNOWN.contains(c)) {
        continue;
      }
      if (c.matches("[1-5][0-9][0-9]")) {
        continue;
      }
      throw new FieldException(
          field,
          "\""
              + c
              + "\" is not a retry condition Envoy knows (such as 5xx, connect-failure, unavailable) or an HTTP status code");
    }
  }
}
