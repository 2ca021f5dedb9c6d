package dev.mizzen.pilot.generate;

import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.ServiceSpec.ServicePort;
import dev.mizzen.ingest.model.VirtualServiceSpec;
import dev.mizzen.ingest.model.VirtualServiceSpec.HttpRoute;
import dev.mizzen.ingest.model.VirtualServiceSpec.Mirror;
import dev.mizzen.ingest.model.VirtualServiceSpec.RouteDestination;
import dev.mizzen.pilot.push.MeshService;
import dev.mizzen.pilot.push.PushContext;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The clusters routes send traffic to. Both the route builders and the cluster generator name
 * clusters here, so that clusters can be generated without building routes: a push that changes
 * only endpoints regenerates clusters and endpoints, never listeners or routes.
 */
final class Destinations {
  private Destinations() {}

  /**
   * Istio's choice of port for a destination: as written, else the port the request came to when
   * the service has it, else the service's only port.
   *
   * @param host the destination's host, already fully qualified
   */
  static String cluster(PushContext push, String host, String subset, int port, int listenerPort) {
    int chosen = port;
    if (chosen == 0) {
      chosen = listenerPort;
      Optional<MeshService> target = push.service(host);
      if (target.isPresent()
          && target.get().port(listenerPort).isEmpty()
          && target.get().ports().size() == 1) {
        chosen = target.get().ports().get(0).port();
      }
    }
    return ClusterNames.outbound(chosen, subset, host);
  }

  static String cluster(PushContext push, RouteDestination d, int listenerPort) {
    return cluster(push, d.host(), d.subset(), d.port(), listenerPort);
  }

  static String cluster(PushContext push, Mirror m, int listenerPort) {
    return cluster(push, m.host(), m.subset(), m.port(), listenerPort);
  }

  /**
   * Every cluster the routes of a sidecar (or gRPC client) in {@code scope} may name: a superset of
   * what its route and listener builders use, found from the VirtualServices alone.
   */
  static Set<String> referenced(ProxyScope scope) {
    Set<String> out = new TreeSet<>();
    for (MeshService s : scope.services()) {
      for (ServicePort p : s.ports()) {
        if (!scope.allows(s, p.port())) {
          continue;
        }
        for (Config<VirtualServiceSpec> vs :
            scope.push.virtualServices().forMeshHost(s.hostname(), scope.viewer)) {
          add(scope.push, vs.spec(), p.port(), out);
        }
      }
    }
    return out;
  }

  /**
   * Every cluster the routes of {@code virtualServices} may name for traffic arriving on {@code
   * port}.
   */
  static void referenced(
      PushContext push,
      Collection<Config<VirtualServiceSpec>> virtualServices,
      int port,
      Set<String> out) {
    for (Config<VirtualServiceSpec> vs : virtualServices) {
      add(push, vs.spec(), port, out);
    }
  }

  private static void add(PushContext push, VirtualServiceSpec spec, int port, Set<String> out) {
    for (HttpRoute r : spec.http()) {
      for (RouteDestination d : r.route()) {
        out.add(cluster(push, d, port));
      }
      for (Mirror m : r.mirrors()) {
        out.add(cluster(push, m, port));
      }
    }
    spec.tcp().forEach(r -> r.route().forEach(d -> out.add(cluster(push, d, port))));
    spec.tls().forEach(r -> r.route().forEach(d -> out.add(cluster(push, d, port))));
  }
}
