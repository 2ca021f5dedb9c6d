package dev.mizzen.ingest.parse;

import static dev.mizzen.ingest.parse.VirtualServiceTranslator.nonNull;

import dev.mizzen.ingest.model.StringMatch;
import dev.mizzen.ingest.model.VirtualServiceSpec.CorsPolicy;
import dev.mizzen.ingest.model.VirtualServiceSpec.HeaderOperations;
import dev.mizzen.ingest.model.VirtualServiceSpec.Headers;
import io.fabric8.istio.api.api.networking.v1alpha3.HeadersHeaderOperations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The header parts of an HTTP route: header changes and the CORS policy, with header names checked.
 */
final class HttpHeaders {
  private static final Pattern FORMAT_COMMAND =
      Pattern.compile("%[A-Z][A-Z0-9_]*(\\([^)]*\\))?(:[0-9]+)?%");

  private HttpHeaders() {}

  static CorsPolicy cors(io.fabric8.istio.api.api.networking.v1alpha3.CorsPolicy c, String f)
      throws FieldException {
    if (c == null) {
      return null;
    }
    List<StringMatch> origins = new ArrayList<>();
    for (String o : nonNull(c.getAllowOrigin())) {
      origins.add(StringMatch.exact(o));
    }
    var written = nonNull(c.getAllowOrigins());
    for (int i = 0; i < written.size(); i++) {
      if (written.get(i) == null) {
        throw new FieldException(
            f + ".allowOrigins[" + i + "]", "one of exact, prefix or regex is required");
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
        c.getUnmatchedPreflights() == null
                || c.getUnmatchedPreflights().name().equals("UNSPECIFIED")
            ? ""
            : c.getUnmatchedPreflights().name());
  }

  static Headers headers(io.fabric8.istio.api.api.networking.v1alpha3.Headers h, String f)
      throws FieldException {
    if (h == null) {
      return Headers.NONE;
    }
    return new Headers(
        operations(h.getRequest(), f + ".request", true),
        operations(h.getResponse(), f + ".response", false));
  }

  /**
   * @param request whether these change the request, whose Host a route may set (Istio rewrites the
   *     authority for it); Host is never removed, nor set on a response
   */
  private static HeaderOperations operations(HeadersHeaderOperations o, String f, boolean request)
      throws FieldException {
    if (o == null) {
      return HeaderOperations.NONE;
    }
    Map<String, String> set = values(o.getSet(), f + ".set", request);
    Map<String, String> add = values(o.getAdd(), f + ".add", request);
    List<String> remove = nonNull(o.getRemove());
    for (int i = 0; i < remove.size(); i++) {
      requireHeaderName(remove.get(i), f + ".remove[" + i + "]");
      refuseHost(remove.get(i), f + ".remove[" + i + "]");
    }
    return new HeaderOperations(set, add, remove);
  }

  private static Map<String, String> values(Map<String, String> written, String f, boolean request)
      throws FieldException {
    Map<String, String> out = new LinkedHashMap<>();
    if (written == null) {
      return out;
    }
    for (Map.Entry<String, String> e : written.entrySet()) {
      String field = f + "." + e.getKey();
      requireHeaderName(e.getKey(), field);
      if (!request) {
        refuseHost(e.getKey(), field);
      }
      requireHeaderValue(e.getValue(), field);
      out.put(e.getKey(), e.getValue());
    }
    return out;
  }

  private static void refuseHost(String name, String field) throws FieldException {
    if (name.equalsIgnoreCase("host")) {
      throw new FieldException(field, "the Host header cannot be changed here");
    }
  }

  /**
   * Envoy reads a header value as a format string: "%%" is a percent sign and "%NAME%" or
   * "%NAME(ARGS)%" a value it fills in; it refuses anything else around a '%', and control
   * characters.
   */
  static void requireHeaderValue(String value, String field) throws FieldException {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 && c != '\t' || c == 0x7f) {
        throw new FieldException(field, "control characters are not allowed in header values");
      }
      if (c != '%') {
        continue;
      }
      if (i + 1 < value.length() && value.charAt(i + 1) == '%') {
        i++;
        continue;
      }
      Matcher command = FORMAT_COMMAND.matcher(value).region(i, value.length());
      if (!command.lookingAt()) {
        throw new FieldException(
            field,
            "\"" + value + "\": write %% for a percent sign; %NAME% is a value Envoy fills in");
      }
      i = command.end() - 1;
    }
  }

  /** HTTP header names are tokens (RFC 9110); Envoy refuses anything else. */
  static void requireHeaderName(String name, String field) throws FieldException {
    if (name == null || name.isEmpty() || !name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
      throw new FieldException(field, "\"" + name + "\" is not a valid header name");
    }
  }
}
