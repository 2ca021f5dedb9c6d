package dev.mizzen.pilot.generate;

import com.google.protobuf.BoolValue;
import com.google.protobuf.Message;
import com.google.protobuf.UInt32Value;
import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.GatewaySpec.Server;
import dev.mizzen.ingest.model.Protocol;
import dev.mizzen.ingest.model.VirtualServiceSpec;
import dev.mizzen.pilot.generate.GatewayGenerator.Bound;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The route configurations of a router: a virtual host per host a server and a VirtualService bound
 * to its Gateway share, whose routes are those of every such VirtualService in the order they were
 * created (gateways merge VirtualServices for one host, as Istio's do); servers with {@code
 * httpsRedirect} send plain HTTP to HTTPS. A route configuration without any virtual host answers
 * 404, as Istio's.
 */
final class GatewayRoutes {
  private final ProxyScope scope;
  private final GatewayGenerator gateway;
  private final RouteBuilder routes;

  GatewayRoutes(ProxyScope scope, GatewayGenerator gateway) {
    this.scope = scope;
    this.gateway = gateway;
    this.routes = new RouteBuilder(scope.push, scope.viewer, scope.labels, false);
  }

  void routes(Map<String, Message> out) {
    Map<String, Map<String, VirtualHost>> byRoute = new LinkedHashMap<>();
    Map<String, Integer> ports = new LinkedHashMap<>();
    for (List<Bound> servers : gateway.servers().values()) {
      for (Bound b : servers) {
        Server s = b.server();
        if (!s.protocol().isHttp() && !s.terminatesTls()) {
          continue;
        }
        if (s.protocol() == Protocol.TLS) {
          continue;
        }
        Map<String, VirtualHost> hosts =
            byRoute.computeIfAbsent(b.routeName(), n -> new LinkedHashMap<>());
        ports.put(b.routeName(), s.number());
        for (Map.Entry<String, List<Config<VirtualServiceSpec>>> e : hostsOf(b).entrySet()) {
          String name = e.getKey() + ":" + s.number();
          if (hosts.containsKey(name)) {
            continue;
          }
          VirtualHost.Builder vh = VirtualHost.newBuilder().setName(name).addDomains(e.getKey());
          if (!e.getKey().contains("*")) {
            vh.addDomains(e.getKey() + ":*");
          }
          for (Config<VirtualServiceSpec> vs : e.getValue()) {
            vh.addAllRoutes(routes.of(vs, s.number(), b.gatewayKey()));
          }
          if (vh.getRoutesCount() == 0) {
            continue;
          }
          if (s.tls() != null && s.tls().httpsRedirect()) {
            vh.setRequireTls(VirtualHost.TlsRequirementType.ALL);
          }
          hosts.put(name, vh.build());
        }
      }
    }
    for (Map.Entry<String, Map<String, VirtualHost>> e : byRoute.entrySet()) {
      RouteConfiguration.Builder rc =
          RouteConfiguration.newBuilder()
              .setName(e.getKey())
              .setValidateClusters(BoolValue.of(false))
              .setMaxDirectResponseBodySizeBytes(
                  UInt32Value.of(VirtualServiceSpec.DirectResponse.MAX_BODY_BYTES));
      if (e.getValue().isEmpty()) {
        rc.addVirtualHosts(blackhole(ports.get(e.getKey())));
      } else {
        rc.addAllVirtualHosts(e.getValue().values());
      }
      out.put(e.getKey(), rc.build());
    }
  }

  /** The hosts a server serves, each with the VirtualServices routing it there, oldest first. */
  private Map<String, List<Config<VirtualServiceSpec>>> hostsOf(Bound b) {
    Map<String, List<Config<VirtualServiceSpec>>> out = new LinkedHashMap<>();
    for (Config<VirtualServiceSpec> vs : scope.push.virtualServices().forGateway(b.gatewayKey())) {
      if (vs.spec().http().isEmpty() || !bound(vs, b)) {
        continue;
      }
      for (String host : vs.spec().hosts()) {
        String resolved = scope.push.mesh().resolve(host, vs.namespace());
        for (String serverHost : b.server().hosts()) {
          Optional<String> shared =
              allowedNamespace(serverHost, vs.namespace(), b.gateway().namespace())
                  ? intersect(dns(serverHost), resolved)
                  : Optional.empty();
          shared.ifPresent(h -> out.computeIfAbsent(h, k -> new ArrayList<>()).add(vs));
          if (shared.isPresent()) {
            break;
          }
        }
      }
    }
    return out;
  }

  /** Whether a VirtualService bound to a server's Gateway may serve some host of it. */
  static boolean bound(Config<VirtualServiceSpec> vs, Bound b) {
    if (!GatewayGenerator.visible(vs, b.gateway().namespace())) {
      return false;
    }
    for (String serverHost : b.server().hosts()) {
      if (allowedNamespace(serverHost, vs.namespace(), b.gateway().namespace())) {
        return true;
      }
    }
    return false;
  }

  /** Whether a server name of a TLS route lies within the server's hosts. */
  static boolean coveredBy(String sni, Server s, String gatewayNamespace) {
    for (String h : s.hosts()) {
      if (intersect(dns(h), sni).isPresent()) {
        return true;
      }
    }
    return false;
  }

  private static boolean allowedNamespace(
      String serverHost, String vsNamespace, String gatewayNamespace) {
    int slash = serverHost.indexOf('/');
    if (slash < 0) {
      return true;
    }
    String ns = serverHost.substring(0, slash);
    return ns.equals("*")
        || ns.equals(vsNamespace)
        || (ns.equals(".") && vsNamespace.equals(gatewayNamespace));
  }

  private static String dns(String serverHost) {
    return serverHost.substring(serverHost.indexOf('/') + 1);
  }

  /** The host both a server and a VirtualService name, the more specific of the two. */
  static Optional<String> intersect(String server, String vs) {
    if (server.equals(vs) || server.equals("*")) {
      return Optional.of(vs);
    }
    if (vs.equals("*")) {
      return Optional.of(server);
    }
    if (server.startsWith("*.") && vs.endsWith(server.substring(1))) {
      return Optional.of(vs);
    }
    if (vs.startsWith("*.") && server.endsWith(vs.substring(1))) {
      return Optional.of(server);
    }
    return Optional.empty();
  }

  private static VirtualHost blackhole(int port) {
    return VirtualHost.newBuilder()
        .setName("blackhole:" + port)
        .addDomains("*")
        .addRoutes(
            Route.newBuilder()
                .setName("default")
                .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                .setDirectResponse(DirectResponseAction.newBuilder().setStatus(404)))
        .build();
  }
}
