package dev.mizzen.pilot.generate;

import com.google.protobuf.BoolValue;
import com.google.protobuf.UInt32Value;
import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.DestinationRuleSpec.TrafficPolicy;
import dev.mizzen.ingest.model.VirtualServiceSpec;
import dev.mizzen.ingest.model.VirtualServiceSpec.CorsPolicy;
import dev.mizzen.ingest.model.VirtualServiceSpec.Fault;
import dev.mizzen.ingest.model.VirtualServiceSpec.HeaderOperations;
import dev.mizzen.ingest.model.VirtualServiceSpec.Headers;
import dev.mizzen.ingest.model.VirtualServiceSpec.HttpMatch;
import dev.mizzen.ingest.model.VirtualServiceSpec.HttpRoute;
import dev.mizzen.ingest.model.VirtualServiceSpec.Mirror;
import dev.mizzen.ingest.model.VirtualServiceSpec.RouteDestination;
import dev.mizzen.pilot.push.EnvoyRegexLimit;
import dev.mizzen.pilot.push.MeshService;
import dev.mizzen.pilot.push.PushContext;
import dev.mizzen.pilot.push.SourceLabels;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.common.fault.v3.FaultDelay;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.FaultAbort;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatchAndSubstitute;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The HTTP routes of a VirtualService as Envoy routes, for traffic arriving on one port through one
 * gateway ("mesh" for sidecars) from proxies with given labels: each with its match, its action
 * ({@link RouteActionBuilder}), its headers and its fault and CORS filter settings; also the route
 * to a whole service that no VirtualService routes. For proxyless gRPC clients, routes that
 * redirect or answer directly, and matches on query parameters, are left out and what grpc-java
 * ignores is not sent (see {@code GrpcLimits}, which warns about both).
 */
final class RouteBuilder {
  static final String FAULT_FILTER = "envoy.filters.http.fault";
  static final String CORS_FILTER = "envoy.filters.http.cors";

  private final PushContext push;
  private final String viewer;
  private final Map<String, String> labels;
  private final boolean forGrpc;

  /**
   * @param viewer the namespace of the proxies
   * @param labels the labels of the proxies that routes may select on
   */
  RouteBuilder(PushContext push, String viewer, Map<String, String> labels, boolean forGrpc) {
    this.push = push;
    this.viewer = viewer;
    this.labels = labels;
    this.forGrpc = forGrpc;
  }

  List<Route> of(Config<VirtualServiceSpec> vs, int port, String gateway) {
    List<Route> routes = new ArrayList<>();
    for (HttpRoute http : vs.spec().http()) {
      if (forGrpc && (http.redirect() != null || http.directResponse() != null)) {
        continue;
      }
      if (!forGrpc && !EnvoyRegexLimit.rewriteFits(http)) {
        continue;
      }
      List<HttpMatch> matches = new ArrayList<>();
      for (HttpMatch m : http.matches()) {
        if (!forGrpc && !EnvoyRegexLimit.fits(m)) {
          continue;
        }
        // A gRPC call carries no query, so a match on query parameters never takes one: left out
        // for gRPC clients, as grpc-java skips it and grpc-js-xds would ignore the condition.
        boolean neverForGrpc = forGrpc && !m.queryParams().isEmpty();
        if ((m.port() == 0 || m.port() == port)
            && SourceLabels.applies(m, gateway, labels, viewer)
            && !neverForGrpc) {
          matches.add(m);
        }
      }
      if (!http.matches().isEmpty() && matches.isEmpty()) {
        continue;
      }
      Route template = route(http, port);
      if (http.matches().isEmpty()) {
        routes.add(template.toBuilder().setMatch(RouteMatches.of(null, forGrpc)).build());
      }
      for (HttpMatch m : matches) {
        Route.Builder r = template.toBuilder().setMatch(RouteMatches.of(m, forGrpc));
        String name = http.name();
        if (!m.name().isEmpty()) {
          name = name.isEmpty() ? m.name() : name + "." + m.name();
        }
        if (!name.isEmpty()) {
          r.setName(name);
        }
        if (!m.statPrefix().isEmpty() && !forGrpc) {
          r.setStatPrefix(m.statPrefix());
        }
        routes.add(r.build());
      }
    }
    return routes;
  }

  /** The route to a whole service when no VirtualService routes it: Istio's default retries. */
  Route defaultRoute(MeshService service, int port) {
    String cluster = ClusterNames.outbound(port, "", service.hostname());
    RouteAction.Builder action =
        RouteActionBuilder.action(null, RouteActionBuilder.DEFAULT_RETRY).setCluster(cluster);
    hashPolicy(service.hostname(), "", port, action);
    return Route.newBuilder()
        .setName("default")
        .setMatch(RouteMatches.of(null, forGrpc))
        .setRoute(action)
        .build();
  }

  /** One route with an empty match; the caller sets the match and name. */
  private Route route(HttpRoute http, int port) {
    Route.Builder r = Route.newBuilder();
    if (!http.name().isEmpty()) {
      r.setName(http.name());
    }
    if (http.redirect() != null) {
      r.setRedirect(RouteActionBuilder.redirect(http.redirect()));
    } else if (http.directResponse() != null) {
      r.setDirectResponse(RouteActionBuilder.directResponse(http.directResponse()));
    } else {
      r.setRoute(action(http, port));
    }
    if (http.fault() != null) {
      r.putTypedPerFilterConfig(FAULT_FILTER, Protos.any(fault(http.fault())));
    }
    if (!forGrpc) {
      if (http.corsPolicy() != null) {
        r.putTypedPerFilterConfig(CORS_FILTER, Protos.any(cors(http.corsPolicy())));
      }
      Headers headers = http.headers();
      if (http.route().size() == 1) {
        headers = merge(headers, http.route().get(0).headers());
      }
      r.addAllRequestHeadersToAdd(headersToAdd(headers.request()));
      r.addAllRequestHeadersToRemove(headers.request().remove());
      r.addAllResponseHeadersToAdd(headersToAdd(headers.response()));
      r.addAllResponseHeadersToRemove(headers.response().remove());
    }
    return r.build();
  }

  private RouteAction action(HttpRoute http, int port) {
    RouteAction.Builder action =
        RouteActionBuilder.action(http.timeout(), RouteActionBuilder.retries(http.retries()));
    List<RouteDestination> weighted = new ArrayList<>();
    for (RouteDestination d : http.route()) {
      if (http.route().size() == 1 || d.weight() > 0) {
        weighted.add(d);
      }
    }
    if (weighted.size() == 1) {
      action.setCluster(Destinations.cluster(push, weighted.get(0), port));
    } else {
      WeightedCluster.Builder wc = WeightedCluster.newBuilder();
      for (RouteDestination d : weighted) {
        WeightedCluster.ClusterWeight.Builder w =
            WeightedCluster.ClusterWeight.newBuilder()
                .setName(Destinations.cluster(push, d, port))
                .setWeight(UInt32Value.of(d.weight()));
        if (!forGrpc) {
          w.addAllRequestHeadersToAdd(headersToAdd(d.headers().request()));
          w.addAllRequestHeadersToRemove(d.headers().request().remove());
          w.addAllResponseHeadersToAdd(headersToAdd(d.headers().response()));
          w.addAllResponseHeadersToRemove(d.headers().response().remove());
        }
        wc.addClusters(w);
      }
      action.setWeightedClusters(wc);
    }
    RouteDestination first = weighted.get(0);
    hashPolicy(first.host(), first.subset(), first.port() == 0 ? port : first.port(), action);
    if (!forGrpc) {
      for (Mirror m : http.mirrors()) {
        action.addRequestMirrorPolicies(
            RouteActionBuilder.mirror(Destinations.cluster(push, m, port), m.percent()));
      }
      var rewrite = http.rewrite();
      if (rewrite != null) {
        if (!rewrite.uri().isEmpty()) {
          action.setPrefixRewrite(rewrite.uri());
        } else if (!rewrite.regexMatch().isEmpty()) {
          action.setRegexRewrite(
              RegexMatchAndSubstitute.newBuilder()
                  .setPattern(RegexMatcher.newBuilder().setRegex(rewrite.regexMatch()))
                  .setSubstitution(rewrite.regexRewrite()));
        }
        if (!rewrite.authority().isEmpty()) {
          action.setHostRewriteLiteral(rewrite.authority());
        }
      }
    }
    return action.build();
  }

  /** The DestinationRule's consistent hash, carried by the route (gRPC hashes only on headers). */
  private void hashPolicy(String host, String subset, int port, RouteAction.Builder action) {
    TrafficPolicy p = EffectivePolicy.of(push, host, subset, port, viewer);
    if (p.loadBalancer() == null || p.loadBalancer().hash() == null) {
      return;
    }
    if (forGrpc && p.loadBalancer().hash().httpHeaderName().isEmpty()) {
      return;
    }
    action.addHashPolicy(RouteActionBuilder.hashPolicy(p.loadBalancer().hash()));
  }

  private static Headers merge(Headers route, Headers destination) {
    if (destination.isEmpty()) {
      return route;
    }
    return new Headers(
        merge(route.request(), destination.request()),
        merge(route.response(), destination.response()));
  }

  private static VirtualServiceSpec.HeaderOperations merge(
      VirtualServiceSpec.HeaderOperations a, VirtualServiceSpec.HeaderOperations b) {
    Map<String, String> set = new HashMap<>(a.set());
    set.putAll(b.set());
    Map<String, String> add = new HashMap<>(a.add());
    add.putAll(b.add());
    List<String> remove = new ArrayList<>(a.remove());
    b.remove().stream().filter(h -> !remove.contains(h)).forEach(remove::add);
    return new VirtualServiceSpec.HeaderOperations(set, add, remove);
  }

  /** The fault filter's per-route configuration. */
  private static HTTPFault fault(Fault f) {
    HTTPFault.Builder b = HTTPFault.newBuilder();
    if (f.delays()) {
      b.setDelay(
          FaultDelay.newBuilder()
              .setFixedDelay(Protos.duration(f.delayFixed()))
              .setPercentage(Protos.percent(f.delayPercent())));
    }
    if (f.aborts()) {
      FaultAbort.Builder a =
          FaultAbort.newBuilder().setPercentage(Protos.percent(f.abortPercent()));
      if (f.abortHttpStatus() != 0) {
        a.setHttpStatus(f.abortHttpStatus());
      } else {
        a.setGrpcStatus(Status.Code.valueOf(f.abortGrpcStatus()).value());
      }
      b.setAbort(a);
    }
    return b.build();
  }

  /** The CORS filter's per-route configuration. */
  private static io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy cors(CorsPolicy c) {
    var b = io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy.newBuilder();
    // CORS is for Envoy proxies only: an origin pattern larger than they accept is left out.
    c.allowOrigins().stream()
        .filter(EnvoyRegexLimit::fits)
        .forEach(o -> b.addAllowOriginStringMatch(RouteMatches.stringMatcher(o)));
    if (!c.allowMethods().isEmpty()) {
      b.setAllowMethods(String.join(",", c.allowMethods()));
    }
    if (!c.allowHeaders().isEmpty()) {
      b.setAllowHeaders(String.join(",", c.allowHeaders()));
    }
    if (!c.exposeHeaders().isEmpty()) {
      b.setExposeHeaders(String.join(",", c.exposeHeaders()));
    }
    if (c.maxAge() != null) {
      b.setMaxAge(String.valueOf(c.maxAge().getSeconds()));
    }
    if (c.allowCredentials() != null) {
      b.setAllowCredentials(BoolValue.of(c.allowCredentials()));
    }
    if (!c.unmatchedPreflights().isEmpty()) {
      b.setForwardNotMatchingPreflights(BoolValue.of(c.unmatchedPreflights().equals("FORWARD")));
    }
    return b.build();
  }

  /** Headers set (replacing) and added (appending), in name order for stable output. */
  private static List<HeaderValueOption> headersToAdd(HeaderOperations ops) {
    List<HeaderValueOption> out = new ArrayList<>();
    for (Map.Entry<String, String> e : new TreeMap<>(ops.set()).entrySet()) {
      out.add(
          option(
              e.getKey(),
              e.getValue(),
              HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD));
    }
    for (Map.Entry<String, String> e : new TreeMap<>(ops.add()).entrySet()) {
      out.add(
          option(
              e.getKey(),
              e.getValue(),
              HeaderValueOption.HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD));
    }
    return out;
  }

  private static HeaderValueOption option(
      String name, String value, HeaderValueOption.HeaderAppendAction action) {
    return HeaderValueOption.newBuilder()
        .setHeader(HeaderValue.newBuilder().setKey(name).setValue(value))
        .setAppendAction(action)
        .build();
  }
}
