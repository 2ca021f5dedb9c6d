package dev.mizzen.pilot.analysis;

import static dev.mizzen.pilot.analysis.AnalysisMessage.quote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.DestinationRuleSpec;
import dev.mizzen.ingest.model.GatewaySpec;
import dev.mizzen.ingest.model.Kind;
import dev.mizzen.ingest.model.VirtualServiceSpec;
import dev.mizzen.ingest.model.VirtualServiceSpec.HttpRoute;
import dev.mizzen.ingest.model.VirtualServiceSpec.Mirror;
import dev.mizzen.ingest.model.VirtualServiceSpec.RouteDestination;
import dev.mizzen.pilot.push.MeshService;
import dev.mizzen.pilot.push.PushContext;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a VirtualService names that is not there, as Istio's destination host, destination rule and
 * gateway analyzers find it: a destination host no service of the mesh (visible to it) has, a port
 * that service lacks, a subset the DestinationRule its namespace applies does not define, a gateway
 * that does not exist (all IST0101); and Mizzen's own MZ0002, a host of a VirtualService bound to
 * the mesh alone that no service has, so that no sidecar routes it.
 */
final class VirtualServiceAnalyzer implements Analyzer {

  @Override
  public void analyze(AnalysisContext context, List<AnalysisMessage> out) {
    PushContext push = context.push();
    ServiceLookup lookup = new ServiceLookup(push);
    Set<String> gateways = new HashSet<>();
    for (Config<GatewaySpec> g : push.gateways()) {
      gateways.add(g.namespace() + "/" + g.name());
    }
    for (Config<VirtualServiceSpec> vs : push.config().list(Kind.VIRTUAL_SERVICE)) {
      destinations(vs, push, lookup, out);
      List<String> bound = vs.spec().gateways();
      for (int i = 0; i < bound.size(); i++) {
        String g = bound.get(i);
        if (g.equals(VirtualServiceSpec.MESH)) {
          continue;
        }
        String full = g.contains("/") ? g : vs.namespace() + "/" + g;
        if (!gateways.contains(full)) {
          out.add(
              AnalysisMessage.on(
                  vs,
                  "spec.gateways[" + i + "]",
                  MessageType.REFERENCED_RESOURCE_NOT_FOUND,
                  notFound("gateway", g)));
        }
      }
      meshHosts(vs, push, lookup, out);
    }
  }

  private static void destinations(
      Config<VirtualServiceSpec> vs,
      PushContext push,
      ServiceLookup lookup,
      List<AnalysisMessage> out) {
    VirtualServiceSpec spec = vs.spec();
    for (int i = 0; i < spec.http().size(); i++) {
      HttpRoute r = spec.http().get(i);
      for (int j = 0; j < r.route().size(); j++) {
        String f = "spec.http[" + i + "].route[" + j + "].destination";
        check(vs, r.route().get(j), f, "", push, lookup, out);
      }
      boolean single = source(vs).path("http").path(i).has("mirror");
      for (int j = 0; j < r.mirrors().size(); j++) {
        Mirror m = r.mirrors().get(j);
        String f =
            single ? "spec.http[" + i + "].mirror" : "spec.http[" + i + "].mirrors[" + j + "]";
        if (!single) {
          f += ".destination";
        }
        check(
            vs,
            new RouteDestination(m.host(), m.subset(), m.port(), 0),
            f,
            "mirror ",
            push,
            lookup,
            out);
      }
    }
    for (int i = 0; i < spec.tcp().size(); i++) {
      List<RouteDestination> route = spec.tcp().get(i).route();
      for (int j = 0; j < route.size(); j++) {
        check(
            vs,
            route.get(j),
            "spec.tcp[" + i + "].route[" + j + "].destination",
            "",
            push,
            lookup,
            out);
      }
    }
    for (int i = 0; i < spec.tls().size(); i++) {
      List<RouteDestination> route = spec.tls().get(i).route();
      for (int j = 0; j < route.size(); j++) {
        check(
            vs,
            route.get(j),
            "spec.tls[" + i + "].route[" + j + "].destination",
            "",
            push,
            lookup,
            out);
      }
    }
  }

  /**
   * One destination: its host, then its port on that host, then its subset.
   *
   * @param mirror "mirror " for a mirror's destination, as Istio names those, else ""
   */
  private static void check(
      Config<VirtualServiceSpec> vs,
      RouteDestination d,
      String field,
      String mirror,
      PushContext push,
      ServiceLookup lookup,
      List<AnalysisMessage> out) {
    Optional<MeshService> service = lookup.find(d.host(), vs.namespace(), vs.spec().exportTo());
    if (service.isEmpty()) {
      out.add(
          AnalysisMessage.on(
              vs,
              field + ".host",
              MessageType.REFERENCED_RESOURCE_NOT_FOUND,
              notFound(mirror + "host", d.host())));
    } else if (d.port() != 0 && service.get().port(d.port()).isEmpty()) {
      out.add(
          AnalysisMessage.on(
              vs,
              field + ".port.number",
              MessageType.REFERENCED_RESOURCE_NOT_FOUND,
              notFound("host:port", d.host() + ":" + d.port())));
    }
    if (!d.subset().isEmpty()) {
      String host = push.mesh().resolve(d.host(), vs.namespace());
      // The rule proxies of the VirtualService's namespace apply, as they would route.
      Optional<Config<DestinationRuleSpec>> dr = push.destinationRule(host, vs.namespace());
      if (dr.isEmpty() || dr.get().spec().subset(d.subset()).isEmpty()) {
        String what = mirror.isEmpty() ? "host" : "mirror";
        out.add(
            AnalysisMessage.on(
                vs,
                field + ".subset",
                MessageType.REFERENCED_RESOURCE_NOT_FOUND,
                notFound(what + "+subset in destinationrule", d.host() + "+" + d.subset())));
      }
    }
  }

  /** MZ0002: a host of a VirtualService bound to the mesh alone that no service of the mesh has. */
  private static void meshHosts(
      Config<VirtualServiceSpec> vs,
      PushContext push,
      ServiceLookup lookup,
      List<AnalysisMessage> out) {
    // Bound to gateways too, its hosts may well be meant for them alone.
    boolean meshOnly =
        vs.spec().gateways().stream().allMatch(g -> g.equals(VirtualServiceSpec.MESH));
    if (vs.spec().isDelegate() || !meshOnly) {
      return;
    }
    List<String> hosts = vs.spec().hosts();
    for (int i = 0; i < hosts.size(); i++) {
      String written = hosts.get(i);
      String host = push.mesh().resolve(written, vs.namespace());
      if (!lookup.anyService(host)) {
        out.add(
            AnalysisMessage.on(
                vs,
                "spec.hosts[" + i + "]",
                MessageType.VIRTUAL_SERVICE_HOST_NOT_IN_MESH,
                "The host "
                    + quote(written)
                    + " of this VirtualService bound to the mesh gateway matches no service in"
                    + " the mesh, so no sidecar routes it."));
      }
    }
  }

  static String notFound(String what, String value) {
    return "Referenced " + what + " not found: " + quote(value);
  }

  private static JsonNode source(Config<?> c) {
    return c.source() == null ? MissingNode.getInstance() : c.source();
  }
}
