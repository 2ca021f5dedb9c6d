package dev.mizzen.ingest.parse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mizzen.ingest.model.Meta;
import dev.mizzen.ingest.model.VirtualServiceSpec;
import dev.mizzen.ingest.model.VirtualServiceSpec.HeaderMatch;
import dev.mizzen.ingest.model.VirtualServiceSpec.HttpMatch;
import dev.mizzen.ingest.model.VirtualServiceSpec.HttpRoute;
import dev.mizzen.ingest.model.VirtualServiceSpec.Retries;
import dev.mizzen.ingest.model.VirtualServiceSpec.RouteDestination;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPMatchRequest;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRetry;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRouteDestination;
import io.fabric8.istio.api.api.networking.v1alpha3.VirtualService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/** Istio VirtualService into {@link VirtualServiceSpec}, refusing what the model cannot carry. */
final class VirtualServiceTranslator implements SpecTranslator<VirtualServiceSpec> {

  private static final Duration MIN_TIMEOUT = Duration.ofMillis(1);

  @Override
  public VirtualServiceSpec translate(JsonNode object, Meta meta) throws FieldException {
    JsonNode specNode = object.get("spec");
    if (specNode == null || specNode.isNull()) {
      throw new FieldException("spec", "required");
    }
    VirtualService spec = Mappers.read(Mappers.STRICT, specNode, VirtualService.class, "spec");
    List<String> hosts = nonNull(spec.getHosts());
    if (hosts.isEmpty()) {
      throw new FieldException("spec.hosts", "at least one host is required");
    }
    for (int i = 0; i < hosts.size(); i++) {
      if (hosts.get(i) == null || hosts.get(i).isEmpty()) {
        throw new FieldException("spec.hosts[" + i + "]", "empty host");
      }
    }
    List<String> gateways = nonNull(spec.getGateways());
    for (int i = 0; i < gateways.size(); i++) {
      if (!"mesh".equals(gateways.get(i))) {
        throw new FieldException(
            "spec.gateways[" + i + "]", "gateways other than \"mesh\" are not supported yet");
      }
    }
    Unsupported.refuseNonEmpty(spec.getTcp(), "spec.tcp");
    Unsupported.refuseNonEmpty(spec.getTls(), "spec.tls");
    List<HttpRoute> http = new ArrayList<>();
    var routes = nonNull(spec.getHttp());
    for (int i = 0; i < routes.size(); i++) {
      http.add(route(routes.get(i), "spec.http[" + i + "]"));
    }
    return new VirtualServiceSpec(hosts, gateways, http, nonNull(spec.getExportTo()));
  }

  private static HttpRoute route(io.fabric8.istio.api.api.networking.v1alpha3.HTTPRoute r, String f)
      throws FieldException {
    Unsupported.refuse(r.getCorsPolicy(), f + ".corsPolicy");
    Unsupported.refuse(r.getDelegate(), f + ".delegate");
    Unsupported.refuse(r.getDirectResponse(), f + ".directResponse");
    Unsupported.refuse(r.getFault(), f + ".fault");
    Unsupported.refuse(r.getHeaders(), f + ".headers");
    Unsupported.refuse(r.getMirror(), f + ".mirror");
    Unsupported.refuse(r.getMirrorPercent(), f + ".mirrorPercent");
    Unsupported.refuse(r.getMirrorPercentage(), f + ".mirrorPercentage");
    Unsupported.refuseNonEmpty(r.getMirrors(), f + ".mirrors");
    Unsupported.refuse(r.getRedirect(), f + ".redirect");
    Unsupported.refuse(r.getRewrite(), f + ".rewrite");

    List<HttpMatch> matches = new ArrayList<>();
    var writtenMatches = nonNull(r.getMatch());
    for (int i = 0; i < writtenMatches.size(); i++) {
      matches.add(match(writtenMatches.get(i), f + ".match[" + i + "]"));
    }
    var destinations = nonNull(r.getRoute());
    if (destinations.isEmpty()) {
      throw new FieldException(f + ".route", "at least one destination is required");
    }
    List<RouteDestination> route = new ArrayList<>();
    int total = 0;
    for (int i = 0; i < destinations.size(); i++) {
      RouteDestination d = destination(destinations.get(i), f + ".route[" + i + "]");
      total += d.weight();
      route.add(d);
    }
    if (route.size() > 1 && total == 0) {
      throw new FieldException(f + ".route", "weights of several destinations must not all be 0");
    }
    Duration timeout = null;
    if (r.getTimeout() != null) {
      timeout = Durations.parse(r.getTimeout(), f + ".timeout");
      if (timeout.compareTo(MIN_TIMEOUT) < 0 && !timeout.isZero()) {
        throw new FieldException(f + ".timeout", "must be at least 1ms, or 0s for none");
      }
    }
    return new HttpRoute(
        Objects.requireNonNullElse(r.getName(), ""),
        matches,
        route,
        timeout,
        retries(r.getRetries(), f + ".retries"));
  }

  private static HttpMatch match(HTTPMatchRequest m, String f) throws FieldException {
    Unsupported.refuse(m.getAuthority(), f + ".authority");
    Unsupported.refuseNonEmpty(m.getGateways(), f + ".gateways");
    Unsupported.refuse(m.getIgnoreUriCase(), f + ".ignoreUriCase");
    Unsupported.refuse(m.getMethod(), f + ".method");
    Unsupported.refuse(m.getPort(), f + ".port");
    Unsupported.refuseNonEmpty(m.getQueryParams(), f + ".queryParams");
    Unsupported.refuse(m.getScheme(), f + ".scheme");
    Unsupported.refuseNonEmpty(m.getSourceLabels(), f + ".sourceLabels");
    Unsupported.refuse(m.getSourceNamespace(), f + ".sourceNamespace");
    Unsupported.refuseNonEmpty(m.getWithoutHeaders(), f + ".withoutHeaders");
    var uri = m.getUri() == null ? null : StringMatches.translate(m.getUri(), f + ".uri");
    List<HeaderMatch> headers = new ArrayList<>();
    if (m.getHeaders() != null) {
      for (Map.Entry<String, io.fabric8.istio.api.api.networking.v1alpha3.StringMatch> e :
          m.getHeaders().entrySet()) {
        String name = e.getKey();
        String field = f + ".headers." + name;
        if (name.isEmpty() || !name.equals(name.toLowerCase(Locale.ROOT))) {
          throw new FieldException(field, "header names must be lower case");
        }
        if (e.getValue() == null) {
          throw new FieldException(field, "one of exact, prefix or regex is required");
        }
        headers.add(new HeaderMatch(name, StringMatches.translate(e.getValue(), field)));
      }
    }
    return new HttpMatch(Objects.requireNonNullElse(m.getName(), ""), uri, headers);
  }

  private static RouteDestination destination(HTTPRouteDestination d, String f)
      throws FieldException {
    Unsupported.refuse(d.getHeaders(), f + ".headers");
    var dest = d.getDestination();
    if (dest == null) {
      throw new FieldException(f + ".destination", "required");
    }
    if (dest.getHost() == null || dest.getHost().isEmpty()) {
      throw new FieldException(f + ".destination.host", "required");
    }
    int port = 0;
    if (dest.getPort() != null && dest.getPort().getNumber() != null) {
      long number = dest.getPort().getNumber();
      if (number < 1 || number > 65535) {
        throw new FieldException(f + ".destination.port.number", "must be between 1 and 65535");
      }
      port = (int) number;
    }
    int weight = d.getWeight() == null ? 0 : d.getWeight();
    if (weight < 0) {
      throw new FieldException(f + ".weight", "must not be negative");
    }
    String subset = Objects.requireNonNullElse(dest.getSubset(), "");
    return new RouteDestination(dest.getHost(), subset, port, weight);
  }

  private static Retries retries(HTTPRetry r, String f) throws FieldException {
    if (r == null) {
      return null;
    }
    Unsupported.refuse(r.getBackoff(), f + ".backoff");
    Unsupported.refuse(r.getRetryIgnorePreviousHosts(), f + ".retryIgnorePreviousHosts");
    Unsupported.refuse(r.getRetryRemoteLocalities(), f + ".retryRemoteLocalities");
    int attempts = r.getAttempts() == null ? 0 : r.getAttempts();
    if (attempts < 0) {
      throw new FieldException(f + ".attempts", "must not be negative");
    }
    Duration perTry = null;
    if (r.getPerTryTimeout() != null) {
      perTry = Durations.parse(r.getPerTryTimeout(), f + ".perTryTimeout");
      if (perTry.compareTo(MIN_TIMEOUT) < 0) {
        throw new FieldException(f + ".perTryTimeout", "must be at least 1ms");
      }
    }
    return new Retries(attempts, perTry, Objects.requireNonNullElse(r.getRetryOn(), ""));
  }

  private static <T> List<T> nonNull(List<T> list) {
    return list == null ? List.of() : list;
  }
}
