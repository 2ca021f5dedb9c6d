package dev.mizzen.pilot.generate;

import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.DestinationRuleSpec;
import dev.mizzen.ingest.model.VirtualServiceSpec;
import dev.mizzen.ingest.model.VirtualServiceSpec.HttpMatch;
import dev.mizzen.ingest.model.VirtualServiceSpec.HttpRoute;
import dev.mizzen.ingest.model.VirtualServiceSpec.RouteDestination;
import dev.mizzen.pilot.push.MeshService;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Builds the virtual hosts a sidecar (or proxyless gRPC client) sees for a service port: the routes
 * of the VirtualService for the host when there is one (the oldest, as Istio's sidecars use), else
 * one route to the whole service.
 */
final class VirtualHostBuilder {
  private final ProxyScope scope;
  private final RouteBuilder routes;
  private final boolean forGrpc;

  VirtualHostBuilder(ProxyScope scope, boolean forGrpc) {
    this.scope = scope;
    this.forGrpc = forGrpc;
    this.routes = new RouteBuilder(scope.push, scope.viewer, scope.labels, forGrpc);
  }

  /**
   * The virtual host for one port of a service. Built once per push for every group that would
   * build it alike: the {@link VirtualHostKey} holds everything the routes depend on that can
   * differ between groups.
   *
   * @param domains what requests may name the service by
   */
  VirtualHost virtualHost(MeshService service, int port, List<String> domains) {
    Optional<Config<VirtualServiceSpec>> vs =
        scope.push.virtualServices().forMeshHost(service.hostname(), scope.viewer).stream()
            .findFirst();
    return scope.virtualHosts.computeIfAbsent(
        key(service, port, domains, vs), k -> build(service, port, domains, vs));
  }

  private VirtualHostKey key(
      MeshService service,
      int port,
      List<String> domains,
      Optional<Config<VirtualServiceSpec>> vs) {
    List<Identity<Config<DestinationRuleSpec>>> rules = new ArrayList<>();
    boolean bySource = false;
    if (vs.isEmpty()) {
      rules.add(Identity.of(scope.push.destinationRule(service.hostname(), scope.viewer)));
    } else {
      for (HttpRoute http : vs.get().spec().http()) {
        for (HttpMatch m : http.matches()) {
          bySource |= !m.sourceLabels().isEmpty() || !m.sourceNamespace().isEmpty();
        }
        for (RouteDestination d : http.route()) {
          rules.add(Identity.of(scope.push.destinationRule(d.host(), scope.viewer)));
        }
      }
    }
    return new VirtualHostKey(
        forGrpc,
        service.hostname(),
        port,
        domains,
        Identity.of(vs),
        rules,
        bySource
            ? Optional.of(new VirtualHostKey.Source(scope.viewer, scope.labels))
            : Optional.empty());
  }

  private VirtualHost build(
      MeshService service,
      int port,
      List<String> domains,
      Optional<Config<VirtualServiceSpec>> vs) {
    List<Route> list =
        vs.isPresent()
            ? routes.of(vs.get(), port, VirtualServiceSpec.MESH)
            : List.of(routes.defaultRoute(service, port));
    VirtualHost.Builder host =
        VirtualHost.newBuilder().setName(service.hostname() + ":" + port).addAllDomains(domains);
    Optional<RetryPolicy> shared = forGrpc ? Optional.empty() : sharedRetryPolicy(list);
    if (shared.isPresent()) {
      // Envoy applies a virtual host's retry policy to each route that has none of its own:
      // written once instead of on every route, the same policy costs a fraction of the bytes
      // that thousands of proxies are sent at every route change.
      host.setRetryPolicy(shared.get());
      for (Route r : list) {
        Route.Builder b = r.toBuilder();
        b.getRouteBuilder().clearRetryPolicy();
        host.addRoutes(b);
      }
    } else {
      host.addAllRoutes(list);
    }
    return host.build();
  }

  /**
   * The retry policy every route has, when they all have the same one. gRPC's xDS client reads only
   * route-level policies, so its routes keep theirs.
   */
  private static Optional<RetryPolicy> sharedRetryPolicy(List<Route> routes) {
    if (routes.size() < 2) {
      return Optional.empty();
    }
    RetryPolicy first = null;
    for (Route r : routes) {
      if (!r.hasRoute() || !r.getRoute().hasRetryPolicy()) {
        return Optional.empty();
      }
      RetryPolicy p = r.getRoute().getRetryPolicy();
      if (first == null) {
        first = p;
      } else if (!first.equals(p)) {
        return Optional.empty();
      }
    }
    return Optional.of(first);
  }

  /**
   * The names requests may use for a service port from a proxy in {@code viewer}: the FQDN, the
   * short forms a resolver would expand for Kubernetes services (the bare name only in the
   * service's own namespace), the virtual IP. With {@code withPort} each name comes also as {@code
   * name:port}; without, the route configuration must ignore the port in host matching (Envoy
   * sidecars, as Istio does; gRPC's xDS client has no such switch and gets both forms).
   */
  static List<String> domains(
      MeshService service, int port, String viewer, boolean allShortNames, boolean withPort) {
    Set<String> names = new LinkedHashSet<>();
    names.add(service.hostname());
    if (service.kubernetes()) {
      if (allShortNames || service.namespace().equals(viewer)) {
        names.add(service.name());
      }
      names.add(service.name() + "." + service.namespace());
      names.add(service.name() + "." + service.namespace() + ".svc");
    }
    if (service.hasVip()) {
      names.add(service.vip());
    }
    List<String> domains = new ArrayList<>();
    for (String n : names) {
      domains.add(n);
      if (withPort) {
        domains.add(n + ":" + port);
      }
    }
    return domains;
  }
}
