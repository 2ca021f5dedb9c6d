package dev.mizzen.pilot.generate;

import com.google.protobuf.UInt32Value;
import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.StringMatch;
import dev.mizzen.ingest.model.VirtualServiceSpec;
import dev.mizzen.ingest.model.VirtualServiceSpec.HttpMatch;
import dev.mizzen.ingest.model.VirtualServiceSpec.HttpRoute;
import dev.mizzen.ingest.model.VirtualServiceSpec.RouteDestination;
import dev.mizzen.pilot.push.MeshService;
import dev.mizzen.pilot.push.PushContext;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Builds the virtual hosts a proxy in one namespace sees for a service port: the routes of the
 * VirtualService for the host when there is one, else one route to the whole service.
 */
final class RouteBuilder {
  /** Istio's default retry conditions. */
  static final String DEFAULT_RETRY_ON =
      "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes";

  private static final RetryPolicy DEFAULT_RETRY = retryPolicy(2, null, DEFAULT_RETRY_ON);

  private final PushContext push;
  private final String viewer;

  /**
   * @param viewer the namespace of the proxies the routes are for
   */
  RouteBuilder(PushContext push, String viewer) {
    this.push = push;
    this.viewer = viewer;
  }

  /**
   * The virtual host for one port of a service.
   *
   * @param domains what requests may name the service by
   * @param clusters collects the names of the clusters the routes send traffic to
   */
  VirtualHost virtualHost(MeshService service, int port, List<String> domains, Set<String> clusters) {
    return VirtualHost.newBuilder()
        .setName(service.hostname() + ":" + port)
        .addAllDomains(domains)
        .addAllRoutes(routes(service, port, clusters))
        .build();
  }

  private List<Route> routes(MeshService service, int port, Set<String> clusters) {
    Optional<Config<VirtualServiceSpec>> vs = push.virtualService(service.hostname(), viewer);
    if (vs.isEmpty()) {
      String cluster = ClusterNames.outbound(port, "", service.hostname());
      clusters.add(cluster);
      return List.of(
          Route.newBuilder()
              .setName("default")
              .setMatch(RouteMatch.newBuilder().setPrefix("/"))
              .setRoute(action(null, DEFAULT_RETRY).setCluster(cluster))
              .build());
    }
    List<Route> routes = new ArrayList<>();
    for (HttpRoute http : vs.get().spec().http()) {
      RouteAction.Builder action = action(http.timeout(), retry(http));
      destinations(vs.get(), http, port, action, clusters);
      RouteAction built = action.build();
      if (http.matches().isEmpty()) {
        routes.add(route(http, null, built));
      }
      for (HttpMatch m : http.matches()) {
        routes.add(route(http, m, built));
      }
    }
    return routes;
  }

  private static Route route(HttpRoute http, HttpMatch m, RouteAction action) {
    Route.Builder r = Route.newBuilder().setRoute(action);
    String name = http.name();
    if (m != null && !m.name().isEmpty()) {
      name = name.isEmpty() ? m.name() : name + "." + m.name();
    }
    if (!name.isEmpty()) {
      r.setName(name);
    }
    r.setMatch(match(m));
    return r.build();
  }

  private static RouteMatch match(HttpMatch m) {
    RouteMatch.Builder match = RouteMatch.newBuilder();
    StringMatch uri = m == null ? null : m.uri();
    if (uri == null) {
      match.setPrefix("/");
    } else {
      switch (uri.type()) {
        case EXACT -> match.setPath(uri.value());
        case PREFIX -> match.setPrefix(uri.value());
        case REGEX -> match.setSafeRegex(RegexMatcher.newBuilder().setRegex(uri.value()));
      }
    }
    if (m != null) {
      for (VirtualServiceSpec.HeaderMatch h : m.headers()) {
        match.addHeaders(HeaderMatcher.newBuilder().setName(h.name()).setStringMatch(stringMatcher(h.match())));
      }
    }
    return match.build();
  }

  static StringMatcher stringMatcher(StringMatch m) {
    StringMatcher.Builder b = StringMatcher.newBuilder();
    switch (m.type()) {
      case EXACT -> b.setExact(m.value());
      case PREFIX -> b.setPrefix(m.value());
      case REGEX -> b.setSafeRegex(RegexMatcher.newBuilder().setRegex(m.value()));
    }
    return b.build();
  }

  private void destinations(
      Config<VirtualServiceSpec> vs, HttpRoute http, int port, RouteAction.Builder action, Set<String> clusters) {
    List<RouteDestination> weighted = new ArrayList<>();
    for (RouteDestination d : http.route()) {
      if (http.route().size() == 1 || d.weight() > 0) {
        weighted.add(d);
      }
    }
    if (weighted.size() == 1) {
      String cluster = clusterFor(vs, weighted.get(0), port);
      clusters.add(cluster);
      action.setCluster(cluster);
      return;
    }
    WeightedCluster.Builder wc = WeightedCluster.newBuilder();
    for (RouteDestination d : weighted) {
      String cluster = clusterFor(vs, d, port);
      clusters.add(cluster);
      wc.addClusters(
          WeightedCluster.ClusterWeight.newBuilder().setName(cluster).setWeight(UInt32Value.of(d.weight())));
    }
    action.setWeightedClusters(wc);
  }

  /** Istio's choice of port: as written, else the port the request came to when the service has it, else its only port. */
  private String clusterFor(Config<VirtualServiceSpec> vs, RouteDestination d, int listenerPort) {
    String host = push.mesh().resolve(d.host(), vs.namespace());
    int port = d.port();
    if (port == 0) {
      port = listenerPort;
      Optional<MeshService> target = push.service(host);
      if (target.isPresent()
          && target.get().spec().port(listenerPort).isEmpty()
          && target.get().ports().size() == 1) {
        port = target.get().ports().get(0).port();
      }
    }
    return ClusterNames.outbound(port, d.subset(), host);
  }

  private static RouteAction.Builder action(Duration timeout, RetryPolicy retry) {
    Duration t = timeout == null ? Duration.ZERO : timeout;
    RouteAction.Builder a =
        RouteAction.newBuilder()
            .setTimeout(Protos.duration(t))
            .setMaxStreamDuration(
                RouteAction.MaxStreamDuration.newBuilder()
                    .setMaxStreamDuration(Protos.duration(t))
                    .setGrpcTimeoutHeaderMax(Protos.duration(t)));
    if (retry != null) {
      a.setRetryPolicy(retry);
    }
    return a;
  }

  private static RetryPolicy retry(HttpRoute http) {
    if (http.retries() == null) {
      return DEFAULT_RETRY;
    }
    if (http.retries().attempts() == 0) {
      return null;
    }
    String on = http.retries().retryOn().isEmpty() ? DEFAULT_RETRY_ON : http.retries().retryOn();
    return retryPolicy(http.retries().attempts(), http.retries().perTryTimeout(), on);
  }

  private static RetryPolicy retryPolicy(int attempts, Duration perTry, String retryOn) {
    RetryPolicy.Builder r =
        RetryPolicy.newBuilder()
            .setRetryOn(retryOn)
            .setNumRetries(UInt32Value.of(attempts))
            .addRetryHostPredicate(
                io.envoyproxy.envoy.config.route.v3.RetryPolicy.RetryHostPredicate.newBuilder()
                    .setName("envoy.retry_host_predicates.previous_hosts")
                    .setTypedConfig(Protos.any(PreviousHostsPredicate.getDefaultInstance())))
            .setHostSelectionRetryMaxAttempts(5);
    if (retryOn.contains("retriable-status-codes")) {
      r.addRetriableStatusCodes(503);
    }
    if (perTry != null) {
      r.setPerTryTimeout(Protos.duration(perTry));
    }
    return r.build();
  }

  /**
   * The names requests may use for a service port from a proxy in {@code viewer}: the FQDN, the
   * short forms a resolver would expand (the bare name only in the service's own namespace), the
   * virtual IP; each with and without the port.
   */
  static List<String> domains(MeshService service, int port, String viewer, boolean allShortNames) {
    Set<String> names = new LinkedHashSet<>();
    names.add(service.hostname());
    if (allShortNames || service.namespace().equals(viewer)) {
      names.add(service.name());
    }
    names.add(service.name() + "." + service.namespace());
    names.add(service.name() + "." + service.namespace() + ".svc");
    if (service.spec().hasClusterIp()) {
      names.add(service.spec().clusterIp());
    }
    List<String> domains = new ArrayList<>();
    for (String n : names) {
      domains.add(n);
      domains.add(n + ":" + port);
    }
    return domains;
  }
}
