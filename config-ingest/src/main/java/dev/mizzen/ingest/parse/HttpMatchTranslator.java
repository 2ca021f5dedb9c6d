package dev.mizzen.ingest.parse;

import dev.mizzen.ingest.model.StringMatch;
import dev.mizzen.ingest.model.VirtualServiceSpec.HeaderMatch;
import dev.mizzen.ingest.model.VirtualServiceSpec.HttpMatch;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPMatchRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/** One match of an HTTP route into the model. */
final class HttpMatchTranslator {
  private HttpMatchTranslator() {}

  static HttpMatch match(HTTPMatchRequest m, String f) throws FieldException {
    if (m == null) {
      throw new FieldException(f, "empty match");
    }
    return new HttpMatch(
        Objects.requireNonNullElse(m.getName(), ""),
        required(m.getUri(), f + ".uri"),
        required(m.getScheme(), f + ".scheme"),
        required(m.getMethod(), f + ".method"),
        required(m.getAuthority(), f + ".authority"),
        headers(m.getHeaders(), f + ".headers"),
        headers(m.getWithoutHeaders(), f + ".withoutHeaders"),
        queryParams(m.getQueryParams(), f + ".queryParams"),
        VirtualServiceTranslator.port(m.getPort(), f + ".port"),
        VirtualServiceTranslator.labels(m.getSourceLabels(), f + ".sourceLabels"),
        Objects.requireNonNullElse(m.getSourceNamespace(), ""),
        VirtualServiceTranslator.gateways(m.getGateways(), f + ".gateways"),
        Boolean.TRUE.equals(m.getIgnoreUriCase()),
        Objects.requireNonNullElse(m.getStatPrefix(), ""));
  }

  /** The match of uri, scheme, method or authority, where Istio refuses an empty prefix. */
  private static StringMatch required(
      io.fabric8.istio.api.api.networking.v1alpha3.StringMatch written, String field)
      throws FieldException {
    if (written == null) {
      return null;
    }
    StringMatch m = StringMatches.translate(written, field);
    if (m.type() == StringMatch.Type.PREFIX && m.value().isEmpty()) {
      throw new FieldException(
          field + ".prefix", "must not be empty (as in Istio); leave the match out to match all");
    }
    return m;
  }

  /** Istio: a header written with an empty match ({@code x-user: {}}) asks for its presence. */
  private static List<HeaderMatch> headers(
      Map<String, io.fabric8.istio.api.api.networking.v1alpha3.StringMatch> written, String f)
      throws FieldException {
    List<HeaderMatch> out = new ArrayList<>();
    if (written == null) {
      return out;
    }
    for (var e : written.entrySet()) {
      String name = e.getKey();
      String field = f + "." + name;
      if (name.isEmpty() || !name.equals(name.toLowerCase(Locale.ROOT))) {
        throw new FieldException(field, "header names must be lower case");
      }
      HttpHeaders.requireHeaderName(name.startsWith(":") ? name.substring(1) : name, field);
      out.add(new HeaderMatch(name, presenceOr(e.getValue(), field)));
    }
    return out;
  }

  private static List<HeaderMatch> queryParams(
      Map<String, io.fabric8.istio.api.api.networking.v1alpha3.StringMatch> written, String f)
      throws FieldException {
    List<HeaderMatch> out = new ArrayList<>();
    if (written == null) {
      return out;
    }
    for (var e : written.entrySet()) {
      String field = f + "." + e.getKey();
      if (e.getKey().isEmpty()) {
        throw new FieldException(f, "empty query parameter name");
      }
      StringMatch match = presenceOr(e.getValue(), field);
      if (match != null && match.type() == StringMatch.Type.PREFIX) {
        throw new FieldException(
            field + ".prefix", "query parameters match by exact value or regex only (as in Istio)");
      }
      out.add(new HeaderMatch(e.getKey(), match));
    }
    return out;
  }

  private static StringMatch presenceOr(
      io.fabric8.istio.api.api.networking.v1alpha3.StringMatch written, String field)
      throws FieldException {
    if (written == null || StringMatches.isEmpty(written)) {
      return null;
    }
    return StringMatches.translate(written, field);
  }
}
