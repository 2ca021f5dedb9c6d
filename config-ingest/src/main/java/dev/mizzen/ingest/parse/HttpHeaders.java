package dev.mizzen.ingest.parse;

import static dev.mizzen.ingest.parse.VirtualServiceTranslator.nonNull;

import dev.mizzen.ingest.model.VirtualServiceSpec.CorsPolicy;
import dev.mizzen.ingest.model.VirtualServiceSpec.HeaderOperations;
import dev.mizzen.ingest.model.VirtualServiceSpec.Headers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The header parts of an HTTP route: header changes and the CORS policy, with header names checked. */
final class HttpHeaders {
  private HttpHeaders() {}

  static CorsPolicy cors(io.fabric8.istio.api.api.networking.v1alpha3.CorsPolicy c, String f)
      throws FieldException {
    if (c == null) {
      return null;
    }
    List<dev.mizzen.ingest.model.StringMatch> origins = new ArrayList<>();
    for (String o : nonNull(c.getAllowOrigin())) {
      origins.add(dev.mizzen.ingest.model.StringMatch.exact(o));
    }
    var written = nonNull(c.getAllowOrigins());
    for (int i = 0; i < written.size(); i++) {
      if (written.get(i) == null) {
        throw new FieldException(f + ".allowOrigins[" + i + "]", "one of exact, prefix or regex is required");
      }
      origins.add(StringMatches.translate(written.get(i), f + ".allowOrigins[" + i + "]"));
    }
    Duration maxAge = null;
    if (c.getMaxAge() != null) {
      maxAge = Durations.parse(c.getMaxAge(), f + ".maxAge");
      if (maxAge.toNanos() % 1_000_000_000L != 0) {
        throw new FieldException(f + ".maxAge", "must be a whole number of seconds");
      }
    }
    for (int i = 0; i < nonNull(c.getAllowHeaders()).size(); i++) {
      requireHeaderName(c.getAllowHeaders().get(i), f + ".allowHeaders[" + i + "]");
    }
    for (int i = 0; i < nonNull(c.getExposeHeaders()).size(); i++) {
      requireHeaderName(c.getExposeHeaders().get(i), f + ".exposeHeaders[" + i + "]");
    }
    return new CorsPolicy(
        origins,
        nonNull(c.getAllowMethods()),
        nonNull(c.getAllowHeaders()),
        nonNull(c.getExposeHeaders()),
        maxAge,
        c.getAllowCredentials(),
        c.getUnmatchedPreflights() == null || c.getUnmatchedPreflights().name().equals("UNSPECIFIED")
            ? ""
            : c.getUnmatchedPreflights().name());
  }

  static Headers headers(io.fabric8.istio.api.api.networking.v1alpha3.Headers h, String f) throws FieldException {
    if (h == null) {
      return Headers.NONE;
    }
    return new Headers(operations(h.getRequest(), f + ".request"), operations(h.getResponse(), f + ".response"));
  }

  private static HeaderOperations operations(
      io.fabric8.istio.api.api.networking.v1alpha3.HeadersHeaderOperations o, String f) throws FieldException {
    if (o == null) {
      return HeaderOperations.NONE;
    }
    Map<String, String> set = values(o.getSet(), f + ".set");
    Map<String, String> add = values(o.getAdd(), f + ".add");
    List<String> remove = nonNull(o.getRemove());
    for (int i = 0; i < remove.size(); i++) {
      requireHeaderName(remove.get(i), f + ".remove[" + i + "]");
    }
    return new HeaderOperations(set, add, remove);
  }

  private static Map<String, String> values(Map<String, String> written, String f) throws FieldException {
    Map<String, String> out = new LinkedHashMap<>();
    if (written == null) {
      return out;
    }
    for (Map.Entry<String, String> e : written.entrySet()) {
      requireHeaderName(e.getKey(), f + "." + e.getKey());
      if (e.getValue() == null) {
        throw new FieldException(f + "." + e.getKey(), "wrong type: expected string");
      }
      out.put(e.getKey(), e.getValue());
    }
    return out;
  }

  /** HTTP header names are tokens (RFC 9110); Envoy refuses anything else. */
  static void requireHeaderName(String name, String field) throws FieldException {
    if (name == null || name.isEmpty() || !name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
      throw new FieldException(field, "\"" + name + "\" is not a valid header name");
    }
  }
}
