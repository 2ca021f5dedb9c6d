package dev.mizzen.ingest.parse;

import static dev.mizzen.ingest.parse.VirtualServiceTranslator.nonNull;

import dev.mizzen.ingest.model.VirtualServiceSpec.Delegate;
import dev.mizzen.ingest.model.VirtualServiceSpec.DirectResponse;
import dev.mizzen.ingest.model.VirtualServiceSpec.Fault;
import dev.mizzen.ingest.model.VirtualServiceSpec.Headers;
import dev.mizzen.ingest.model.VirtualServiceSpec.HttpMatch;
import dev.mizzen.ingest.model.VirtualServiceSpec.HttpRoute;
import dev.mizzen.ingest.model.VirtualServiceSpec.Mirror;
import dev.mizzen.ingest.model.VirtualServiceSpec.Redirect;
import dev.mizzen.ingest.model.VirtualServiceSpec.Retries;
import dev.mizzen.ingest.model.VirtualServiceSpec.Rewrite;
import dev.mizzen.ingest.model.VirtualServiceSpec.RouteDestination;
import io.fabric8.istio.api.api.networking.v1alpha3.Destination;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPBodyBytes;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPBodyString;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPDirectResponse;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPFaultInjection;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPFaultInjectionAbortGrpcStatus;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPFaultInjectionAbortHttp2Error;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPFaultInjectionAbortHttpStatus;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPFaultInjectionDelayExponentialDelay;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPFaultInjectionDelayFixedDelay;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRedirect;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRedirectDerivePort;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRedirectPort;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRetry;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRewrite;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRoute;
import io.fabric8.istio.api.api.networking.v1alpha3.Percent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/** One HTTP route of a VirtualService into the model, checked as Istio's validation checks it. */
final class HttpRouteTranslator {
  static final Duration MIN_TIMEOUT = Duration.ofMillis(1);
  private static final Set<Integer> REDIRECT_CODES = Set.of(301, 302, 303, 307, 308);
  private static final Set<String> GRPC_CODES =
      Set.of(
          "OK",
          "CANCELLED",
          "UNKNOWN",
          "INVALID_ARGUMENT",
          "DEADLINE_EXCEEDED",
          "NOT_FOUND",
          "ALREADY_EXISTS",
          "PERMISSION_DENIED",
          "RESOURCE_EXHAUSTED",
          "FAILED_PRECONDITION",
          "ABORTED",
          "OUT_OF_RANGE",
          "UNIMPLEMENTED",
          "INTERNAL",
          "UNAVAILABLE",
          "DATA_LOSS",
          "UNAUTHENTICATED");

  private HttpRouteTranslator() {}

  /**
   * @param inDelegate whether the route belongs to a delegate VirtualService, which may not
   *     delegate further
   */
  static HttpRoute route(HTTPRoute r, String f, boolean inDelegate) throws FieldException {
    List<HttpMatch> matches = new ArrayList<>();
    var writtenMatches = nonNull(r.getMatch());
    for (int i = 0; i < writtenMatches.size(); i++) {
      matches.add(HttpMatchTranslator.match(writtenMatches.get(i), f + ".match[" + i + "]"));
    }
    List<RouteDestination> route = new ArrayList<>();
    var destinations = nonNull(r.getRoute());
    int total = 0;
    for (int i = 0; i < destinations.size(); i++) {
      var d = destinations.get(i);
      String field = f + ".route[" + i + "]";
      RouteDestination rd = destination(d.getDestination(), d.getWeight(), field);
      Headers headers = HttpHeaders.headers(d.getHeaders(), field + ".headers");
      route.add(new RouteDestination(rd.host(), rd.subset(), rd.port(), rd.weight(), headers));
      total += rd.weight();
    }
    if (route.size() > 1 && total == 0) {
      throw new FieldException(f + ".route", "weights of several destinations must not all be 0");
    }
    Redirect redirect = redirect(r.getRedirect(), f + ".redirect");
    DirectResponse direct = directResponse(r.getDirectResponse(), f + ".directResponse");
    Delegate delegate = null;
    if (r.getDelegate() != null) {
      if (inDelegate) {
        throw new FieldException(
            f + ".delegate", "a delegate VirtualService cannot delegate again");
      }
      if (r.getDelegate().getName() == null || r.getDelegate().getName().isEmpty()) {
        throw new FieldException(f + ".delegate.name", "required");
      }
      delegate =
          new Delegate(
              r.getDelegate().getName(),
              Objects.requireNonNullElse(r.getDelegate().getNamespace(), ""));
    }
    int actions =
        (route.isEmpty() ? 0 : 1)
            + (redirect == null ? 0 : 1)
            + (direct == null ? 0 : 1)
            + (delegate == null ? 0 : 1);
    if (actions == 0) {
      throw new FieldException(
          f + ".route", "one of route, redirect, directResponse or delegate is required");
    }
    if (actions > 1) {
      throw new FieldException(
          f, "route, redirect, directResponse and delegate exclude each other");
    }
    Rewrite rewrite = rewrite(r.getRewrite(), f + ".rewrite");
    if (rewrite != null && redirect != null) {
      throw new FieldException(f + ".rewrite", "a route that redirects cannot rewrite");
    }
    Duration timeout = null;
    if (r.getTimeout() != null) {
      timeout = Durations.parse(r.getTimeout(), f + ".timeout");
      if (timeout.compareTo(MIN_TIMEOUT) < 0 && !timeout.isZero()) {
        throw new FieldException(f + ".timeout", "must be at least 1ms, or 0s for none");
      }
    }
    List<Mirror> mirrors = mirrors(r, f);
    if (!mirrors.isEmpty() && (redirect != null || direct != null)) {
      throw new FieldException(
          f + ".mirror", "a route that redirects or answers directly cannot mirror");
    }
    return new HttpRoute(
        Objects.requireNonNullElse(r.getName(), ""),
        matches,
        route,
        redirect,
        direct,
        delegate,
        rewrite,
        timeout,
        retries(r.getRetries(), f + ".retries"),
        fault(r.getFault(), f + ".fault"),
        mirrors,
        HttpHeaders.cors(r.getCorsPolicy(), f + ".corsPolicy"),
        HttpHeaders.headers(r.getHeaders(), f + ".headers"));
  }

  /** A route's {@code destination} and {@code weight}; {@code f} is the route entry's path. */
  static RouteDestination destination(Destination dest, Integer weight, String f)
      throws FieldException {
    int w = weight == null ? 0 : weight;
    if (w < 0) {
      throw new FieldException(f + ".weight", "must not be negative");
    }
    return target(dest, w, f + ".destination");
  }

  /** A destination written at {@code f} (a route's, or a mirror). */
  private static RouteDestination target(Destination dest, int weight, String f)
      throws FieldException {
    if (dest == null) {
      throw new FieldException(f, "required");
    }
    if (dest.getHost() == null || dest.getHost().isEmpty()) {
      throw new FieldException(f + ".host", "required");
    }
    Hosts.requireHost(dest.getHost(), f + ".host", false);
    int port =
        dest.getPort() == null
            ? 0
            : VirtualServiceTranslator.port(dest.getPort().getNumber(), f + ".port.number");
    String subset = Objects.requireNonNullElse(dest.getSubset(), "");
    if (!subset.isEmpty()) {
      Names.requireLabel(subset, f + ".subset");
    }
    return new RouteDestination(dest.getHost(), subset, port, weight);
  }

  private static Redirect redirect(HTTPRedirect r, String f) throws FieldException {
    if (r == null) {
      return null;
    }
    int code = r.getRedirectCode() == null ? 301 : r.getRedirectCode().intValue();
    if (!REDIRECT_CODES.contains(code)) {
      throw new FieldException(
          f + ".redirectCode", code + " is not a redirect code (301, 302, 303, 307 or 308)");
    }
    int port = 0;
    String derive = "";
    if (r.getRedirectPort() instanceof HTTPRedirectPort p && p.getPort() != null) {
      port = VirtualServiceTranslator.port(p.getPort(), f + ".port");
    } else if (r.getRedirectPort() instanceof HTTPRedirectDerivePort d
        && d.getDerivePort() != null) {
      derive = d.getDerivePort().name();
    }
    String scheme = Objects.requireNonNullElse(r.getScheme(), "");
    if (!scheme.isEmpty() && !scheme.equals("http") && !scheme.equals("https")) {
      throw new FieldException(f + ".scheme", "must be http or https");
    }
    String uri = Objects.requireNonNullElse(r.getUri(), "");
    return new Redirect(
        uri, Objects.requireNonNullElse(r.getAuthority(), ""), scheme, code, port, derive);
  }

  private static DirectResponse directResponse(HTTPDirectResponse r, String f)
      throws FieldException {
    if (r == null) {
      return null;
    }
    if (r.getStatus() == null || r.getStatus() < 200 || r.getStatus() > 599) {
      throw new FieldException(f + ".status", "must be between 200 and 599");
    }
    String body = null;
    boolean bytes = false;
    if (r.getBody() != null) {
      if (r.getBody().getSpecifier() instanceof HTTPBodyString s && s.getString() != null) {
        body = s.getString();
      } else if (r.getBody().getSpecifier() instanceof HTTPBodyBytes b && b.getBytes() != null) {
        try {
          body = new String(Base64.getDecoder().decode(b.getBytes()), StandardCharsets.ISO_8859_1);
        } catch (IllegalArgumentException e) {
          throw new FieldException(f + ".body.bytes", "not base64");
        }
        bytes = true;
      } else {
        throw new FieldException(f + ".body", "one of string or bytes is required");
      }
      int size = bytes ? body.length() : body.getBytes(StandardCharsets.UTF_8).length;
      if (size > DirectResponse.MAX_BODY_BYTES) {
        throw new FieldException(
            f + ".body",
            "the body is "
                + size
                + " bytes; at most "
                + DirectResponse.MAX_BODY_BYTES
                + " (1 MiB) can be served");
      }
    }
    return new DirectResponse(r.getStatus().intValue(), body, bytes);
  }

  private static Rewrite rewrite(HTTPRewrite r, String f) throws FieldException {
    if (r == null) {
      return null;
    }
    String uri = Objects.requireNonNullElse(r.getUri(), "");
    String match = "";
    String substitution = "";
    int size = 0;
    if (r.getUriRegexRewrite() != null) {
      if (!uri.isEmpty()) {
        throw new FieldException(
            f + ".uriRegexRewrite", "uri and uriRegexRewrite exclude each other");
      }
      match = Objects.requireNonNullElse(r.getUriRegexRewrite().getMatch(), "");
      if (match.isEmpty()) {
        throw new FieldException(f + ".uriRegexRewrite.match", "required");
      }
      size = StringMatches.checkRegex(match, f + ".uriRegexRewrite.match");
      substitution = Objects.requireNonNullElse(r.getUriRegexRewrite().getRewrite(), "");
    }
    String authority = Objects.requireNonNullElse(r.getAuthority(), "");
    if (uri.isEmpty() && authority.isEmpty() && match.isEmpty()) {
      throw new FieldException(f, "one of uri, authority or uriRegexRewrite is required");
    }
    return new Rewrite(uri, authority, match, substitution, size);
  }

  private static Retries retries(HTTPRetry r, String f) throws FieldException {
    if (r == null) {
      return null;
    }
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
    Duration backoff = null;
    if (r.getBackoff() != null) {
      backoff = Durations.parse(r.getBackoff(), f + ".backoff");
      if (backoff.compareTo(MIN_TIMEOUT) < 0) {
        throw new FieldException(f + ".backoff", "must be at least 1ms");
      }
    }
    String retryOn = Objects.requireNonNullElse(r.getRetryOn(), "");
    RetryConditions.check(retryOn, f + ".retryOn");
    return new Retries(
        attempts,
        perTry,
        retryOn,
        backoff,
        r.getRetryRemoteLocalities(),
        r.getRetryIgnorePreviousHosts() == null || r.getRetryIgnorePreviousHosts());
  }

  private static Fault fault(HTTPFaultInjection fault, String f) throws FieldException {
    if (fault == null) {
      return null;
    }
    Duration delay = null;
    double delayPercent = 0;
    if (fault.getDelay() != null) {
      var d = fault.getDelay();
      if (d.getHttpDelayType() instanceof HTTPFaultInjectionDelayFixedDelay fixed
          && fixed.getFixedDelay() != null) {
        delay = Durations.parse(fixed.getFixedDelay(), f + ".delay.fixedDelay");
        if (delay.compareTo(MIN_TIMEOUT) < 0) {
          throw new FieldException(f + ".delay.fixedDelay", "must be at least 1ms");
        }
      } else if (d.getHttpDelayType() instanceof HTTPFaultInjectionDelayExponentialDelay e
          && e.getExponentialDelay() != null) {
        throw new FieldException(
            f + ".delay.exponentialDelay", "not supported by Istio; use fixedDelay");
      } else {
        throw new FieldException(f + ".delay.fixedDelay", "required");
      }
      if (d.getPercent() != null && d.getPercentage() != null) {
        throw new FieldException(f + ".delay.percent", "percent and percentage exclude each other");
      }
      delayPercent =
          d.getPercent() != null
              ? d.getPercent()
              : percent(d.getPercentage(), f + ".delay.percentage");
      if (delayPercent < 0 || delayPercent > 100) {
        throw new FieldException(f + ".delay.percent", "must be between 0 and 100");
      }
    }
    int httpStatus = 0;
    String grpcStatus = "";
    double abortPercent = 0;
    if (fault.getAbort() != null) {
      var a = fault.getAbort();
      if (a.getErrorType() instanceof HTTPFaultInjectionAbortHttpStatus h
          && h.getHttpStatus() != null) {
        httpStatus = h.getHttpStatus();
        if (httpStatus < 200 || httpStatus > 599) {
          throw new FieldException(f + ".abort.httpStatus", "must be between 200 and 599");
        }
      } else if (a.getErrorType() instanceof HTTPFaultInjectionAbortGrpcStatus g
          && g.getGrpcStatus() != null) {
        grpcStatus = g.getGrpcStatus();
        if (!GRPC_CODES.contains(grpcStatus)) {
          throw new FieldException(
              f + ".abort.grpcStatus",
              "\"" + grpcStatus + "\" is not a gRPC status name such as UNAVAILABLE");
        }
      } else if (a.getErrorType() instanceof HTTPFaultInjectionAbortHttp2Error h2
          && h2.getHttp2Error() != null) {
        throw new FieldException(
            f + ".abort.http2Error", "not supported by Istio; use httpStatus or grpcStatus");
      } else {
        throw new FieldException(f + ".abort", "one of httpStatus or grpcStatus is required");
      }
      abortPercent = percent(a.getPercentage(), f + ".abort.percentage");
    }
    if (delay == null && httpStatus == 0 && grpcStatus.isEmpty()) {
      throw new FieldException(f, "one of delay or abort is required");
    }
    return new Fault(delay, delayPercent, httpStatus, grpcStatus, abortPercent);
  }

  /** Istio's percentage: absent means every request. */
  private static double percent(Percent p, String f) throws FieldException {
    if (p == null || p.getValue() == null) {
      return 100;
    }
    if (p.getValue() < 0 || p.getValue() > 100) {
      throw new FieldException(f + ".value", "must be between 0 and 100");
    }
    return p.getValue();
  }

  private static List<Mirror> mirrors(HTTPRoute r, String f) throws FieldException {
    List<Mirror> out = new ArrayList<>();
    if (r.getMirror() != null) {
      if (!nonNull(r.getMirrors()).isEmpty()) {
        throw new FieldException(f + ".mirror", "mirror and mirrors exclude each other");
      }
      if (r.getMirrorPercent() != null && r.getMirrorPercentage() != null) {
        throw new FieldException(
            f + ".mirrorPercent", "mirrorPercent and mirrorPercentage exclude each other");
      }
      double percent = 100;
      if (r.getMirrorPercent() != null) {
        percent = r.getMirrorPercent();
        if (percent < 0 || percent > 100) {
          throw new FieldException(f + ".mirrorPercent", "must be between 0 and 100");
        }
      } else if (r.getMirrorPercentage() != null) {
        percent = percent(r.getMirrorPercentage(), f + ".mirrorPercentage");
      }
      RouteDestination d = target(r.getMirror(), 0, f + ".mirror");
      out.add(new Mirror(d.host(), d.subset(), d.port(), percent));
    } else if (r.getMirrorPercent() != null || r.getMirrorPercentage() != null) {
      throw new FieldException(
          f + (r.getMirrorPercent() != null ? ".mirrorPercent" : ".mirrorPercentage"),
          "needs a mirror");
    }
    var list = nonNull(r.getMirrors());
    for (int i = 0; i < list.size(); i++) {
      String field = f + ".mirrors[" + i + "]";
      RouteDestination d = destination(list.get(i).getDestination(), 0, field);
      out.add(
          new Mirror(
              d.host(),
              d.subset(),
              d.port(),
              percent(list.get(i).getPercentage(), field + ".percentage")));
    }
    return out;
  }
}
