package dev.mizzen.pilot.generate;

import com.google.protobuf.Message;
import dev.mizzen.ingest.model.ServiceSpec.ServicePort;
import dev.mizzen.pilot.push.MeshService;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The listeners and route configurations of a proxyless gRPC client (and server): an API listener
 * per service port in scope, named {@code HOST:PORT}, with its route configuration {@code
 * outbound|PORT||HOST}; the names a client may ask for instead; and the server listeners of the
 * ports the workload serves. Services whose proxy must send connections to their original
 * destination (ServiceEntries with resolution NONE) are left out: gRPC has no such cluster.
 */
final class GrpcGenerator {
  private final ProxyScope scope;
  private final InboundBuilder inbound;

  GrpcGenerator(ProxyScope scope, InboundBuilder inbound) {
    this.scope = scope;
    this.inbound = inbound;
  }

  /**
   * @param aliases collects the names clients may ask for a listener by, with the listener's name
   */
  void generate(
      Map<String, Message> listeners, Map<String, Message> routes, Map<String, String> aliases) {
    VirtualHostBuilder hosts = new VirtualHostBuilder(scope, true);
    for (MeshService s : scope.services()) {
      if (s.discovery() == MeshService.Discovery.PASSTHROUGH) {
        continue;
      }
      for (ServicePort p : s.ports()) {
        if (!scope.allows(s, p.port())) {
          continue;
        }
        String canonical = s.hostname() + ":" + p.port();
        String routeName = ClusterNames.outbound(p.port(), "", s.hostname());
        listeners.put(canonical, ListenerBuilder.grpcClient(canonical, routeName));
        VirtualHost vh =
            hosts.virtualHost(
                s, p.port(), VirtualHostBuilder.domains(s, p.port(), scope.viewer, true, true));
        routes.put(
            routeName,
            RouteConfiguration.newBuilder().setName(routeName).addVirtualHosts(vh).build());
        for (String name : clientNames(s, scope.viewer)) {
          aliases.put(name + ":" + p.port(), canonical);
          if (s.ports().size() == 1) {
            aliases.putIfAbsent(name, canonical);
          }
        }
      }
    }
    if (!scope.key.inbound().isEmpty()) {
      var authz = scope.push.authz().workload(scope.key.workload());
      for (InboundPort p : scope.key.inbound()) {
        var l = inbound.grpcServer(p, authz);
        listeners.put(l.getName(), l);
      }
    }
  }

  /** Names a client in {@code viewer} may use for a service: short only in its own namespace. */
  private static Set<String> clientNames(MeshService s, String viewer) {
    Set<String> names = new LinkedHashSet<>();
    if (s.kubernetes()) {
      if (s.namespace().equals(viewer)) {
        names.add(s.name());
      }
      names.add(s.name() + "." + s.namespace());
      names.add(s.name() + "." + s.namespace() + ".svc");
    }
    names.add(s.hostname());
    if (s.hasVip()) {
      names.add(s.vip());
    }
    return names;
  }
}
