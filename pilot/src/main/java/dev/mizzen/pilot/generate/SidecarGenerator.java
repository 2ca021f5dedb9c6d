package dev.mizzen.pilot.generate;

import com.google.protobuf.BoolValue;
import com.google.protobuf.Duration;
import com.google.protobuf.Message;
import com.google.protobuf.UInt32Value;
import dev.mizzen.ingest.model.ServiceSpec.ServicePort;
import dev.mizzen.ingest.model.VirtualServiceSpec;
import dev.mizzen.pilot.push.MeshService;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The listeners and route configurations of an Envoy sidecar: per HTTP port, the listener {@code
 * 0.0.0.0_PORT} and the route configuration {@code PORT} with a virtual host per service in scope;
 * the TCP and TLS listeners; {@code virtualOutbound}; and the inbound side.
 */
final class SidecarGenerator {
  private final ProxyScope scope;
  private final InboundBuilder inbound;

  SidecarGenerator(ProxyScope scope, InboundBuilder inbound) {
    this.scope = scope;
    this.inbound = inbound;
  }

  /** The HTTP ports of the services in scope, each with the services on it. */
  private Map<Integer, List<MeshService>> httpPorts() {
    Map<Integer, List<MeshService>> ports = new TreeMap<>();
    for (MeshService s : scope.services()) {
      for (ServicePort p : s.ports()) {
        if (p.protocol().isHttp() && scope.allows(s, p.port())) {
          ports.computeIfAbsent(p.port(), n -> new ArrayList<>()).add(s);
        }
      }
    }
    return ports;
  }

  void routes(Map<String, Message> out) {
    VirtualHostBuilder hosts = new VirtualHostBuilder(scope, false);
    for (Map.Entry<Integer, List<MeshService>> e : httpPorts().entrySet()) {
      int port = e.getKey();
      // One route configuration per port: the port in a Host header says nothing more, so it is
      // ignored in matching and each domain is listed once, without it.
      RouteConfiguration.Builder rc =
          RouteConfiguration.newBuilder()
              .setName(String.valueOf(port))
              .setValidateClusters(BoolValue.of(false))
              .setIgnorePortInHostMatching(true)
              .setMaxDirectResponseBodySizeBytes(
                  UInt32Value.of(VirtualServiceSpec.DirectResponse.MAX_BODY_BYTES));
      Set<String> used = new HashSet<>();
      for (MeshService s : e.getValue()) {
        // Envoy refuses a domain named by two virtual hosts: the first service keeps it.
        List<String> domains =
            VirtualHostBuilder.domains(s, port, scope.viewer, false, false).stream()
                .filter(used::add)
                .toList();
        if (!domains.isEmpty()) {
          rc.addVirtualHosts(hosts.virtualHost(s, port, domains));
        }
      }
      if (scope.allowAny) {
        rc.addVirtualHosts(passthroughHost());
      }
      out.put(String.valueOf(port), rc.build());
    }
  }

  void listeners(Map<String, Message> out) {
    Map<Integer, List<MeshService>> http = httpPorts();
    for (int port : http.keySet()) {
      var l = ListenerBuilder.httpOutbound(port, scope.push.tracing());
      out.put(l.getName(), l);
    }
    for (var l : new TcpListeners(scope, http.keySet()).build()) {
      out.put(l.getName(), l);
    }
    var vo =
        ListenerBuilder.virtualOutbound(
            scope.allowAny ? ClusterNames.PASSTHROUGH : ClusterNames.BLACK_HOLE);
    out.put(vo.getName(), vo);
    var authz = scope.push.authz().workload(scope.key.workload());
    var vi = inbound.virtualInbound(scope.key.inbound(), authz, scope.push.tracing());
    out.put(vi.getName(), vi);
  }

  private static VirtualHost passthroughHost() {
    return VirtualHost.newBuilder()
        .setName("allow_any")
        .addDomains("*")
        .addRoutes(
            Route.newBuilder()
                .setName("allow_any")
                .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                .setRoute(
                    RouteAction.newBuilder()
                        .setCluster(ClusterNames.PASSTHROUGH)
                        .setTimeout(Duration.getDefaultInstance())))
        .build();
  }
}
