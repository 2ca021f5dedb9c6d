package dev.mizzen.pilot.push;

import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.ConfigError;
import dev.mizzen.ingest.model.StringMatch;
import dev.mizzen.ingest.model.VirtualServiceSpec;
import dev.mizzen.ingest.model.VirtualServiceSpec.HeaderMatch;
import dev.mizzen.ingest.model.VirtualServiceSpec.HttpMatch;
import dev.mizzen.ingest.model.VirtualServiceSpec.HttpRoute;
import java.util.List;

/**
 * The largest RE2 program an Envoy proxy accepts. Envoy rejects a whole resource holding a larger
 * regular expression; Istio's agent sets {@code re2.max_program_size.error_level} to {@value
 * #LIMIT} for every sidecar and gateway. Proxyless gRPC clients (RE2J) have no such limit. So a
 * match with a larger pattern is left out of what Envoy proxies are sent (and a route whose matches
 * are all left out, or whose rewrite pattern is too large, with it); a CORS origin pattern too
 * large is left out of the allowed origins. Each is reported once as a warning on its field.
 */
public final class EnvoyRegexLimit {
  /** {@code re2.max_program_size.error_level} as Istio's agent sets it for Envoy. */
  public static final int LIMIT = StringMatch.ENVOY_PROGRAM_SIZE_LIMIT;

  private EnvoyRegexLimit() {}

  /** Whether an Envoy proxy accepts the match (anything but a too large regex). */
  public static boolean fits(StringMatch m) {
    return m == null || m.re2ProgramSize() <= LIMIT;
  }

  /** Whether an Envoy proxy accepts every pattern of the match. */
  public static boolean fits(HttpMatch m) {
    return fits(m.uri())
        && fits(m.scheme())
        && fits(m.method())
        && fits(m.authority())
        && fitsAll(m.headers())
        && fitsAll(m.withoutHeaders())
        && fitsAll(m.queryParams());
  }

  /** Whether an Envoy proxy accepts the route's rewrite pattern. */
  public static boolean rewriteFits(HttpRoute r) {
    return r.rewrite() == null || r.rewrite().regexProgramSize() <= LIMIT;
  }

  private static boolean fitsAll(List<HeaderMatch> headers) {
    return headers.stream().allMatch(h -> fits(h.match()));
  }

  static void check(Config<VirtualServiceSpec> vs, List<ConfigError> warnings) {
    List<HttpRoute> http = vs.spec().http();
    for (int i = 0; i < http.size(); i++) {
      HttpRoute r = http.get(i);
      String f = "spec.http[" + i + "]";
      for (int j = 0; j < r.matches().size(); j++) {
        HttpMatch m = r.matches().get(j);
        String mf = f + ".match[" + j + "]";
        String left = "this match is left out of what Envoy proxies are sent";
        report(vs, mf + ".uri.regex", m.uri(), left, warnings);
        report(vs, mf + ".scheme.regex", m.scheme(), left, warnings);
        report(vs, mf + ".method.regex", m.method(), left, warnings);
        report(vs, mf + ".authority.regex", m.authority(), left, warnings);
        headers(vs, mf + ".headers", m.headers(), left, warnings);
        headers(vs, mf + ".withoutHeaders", m.withoutHeaders(), left, warnings);
        headers(vs, mf + ".queryParams", m.queryParams(), left, warnings);
      }
      if (r.rewrite() != null && r.rewrite().regexProgramSize() > LIMIT) {
        warnings.add(
            Warnings.warning(
                vs,
                f + ".rewrite.uriRegexRewrite.match",
                reason(
                    r.rewrite().regexProgramSize(),
                    "this route is left out of what Envoy proxies are sent")));
      }
      if (r.corsPolicy() != null) {
        List<StringMatch> origins = r.corsPolicy().allowOrigins();
        for (int j = 0; j < origins.size(); j++) {
          report(
              vs,
              f + ".corsPolicy.allowOrigins[" + j + "].regex",
              origins.get(j),
              "this origin is left out of what Envoy proxies allow",
              warnings);
        }
      }
    }
  }

  private static void headers(
      Config<VirtualServiceSpec> vs,
      String f,
      List<HeaderMatch> headers,
      String left,
      List<ConfigError> warnings) {
    for (HeaderMatch h : headers) {
      report(vs, f + "." + h.name() + ".regex", h.match(), left, warnings);
    }
  }

  private static void report(
      Config<VirtualServiceSpec> vs,
      String field,
      StringMatch m,
      String left,
      List<ConfigError> warnings) {
    if (!fits(m)) {
      warnings.add(Warnings.warning(vs, field, reason(m.re2ProgramSize(), left)));
    }
  }

  private static String reason(int size, String left) {
    String shown = size == Integer.MAX_VALUE ? "over RE2's own maximum" : Integer.toString(size);
    return "RE2 program size "
        + shown
        + " exceeds "
        + LIMIT
        + ", the limit of Istio's Envoy proxies (re2.max_program_size.error_level); "
        + left
        + " (proxyless gRPC clients have no such limit)";
  }
}
