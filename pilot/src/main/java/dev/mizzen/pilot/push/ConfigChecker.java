package dev.mizzen.pilot.push;

import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.ConfigError;
import dev.mizzen.ingest.model.DestinationRuleSpec;
import dev.mizzen.ingest.model.GatewaySpec;
import dev.mizzen.ingest.model.Kind;
import dev.mizzen.ingest.model.SidecarSpec;
import dev.mizzen.ingest.model.VirtualServiceSpec;
import dev.mizzen.ingest.model.VirtualServiceSpec.RouteDestination;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Finds what is valid on its own but wrong in context: a route to a host the mesh does not know, a
 * subset no DestinationRule defines, two VirtualServices for one host, a gateway that does not
 * exist, two Sidecars for the same workloads. Such config is still served, as Istio serves it (the
 * requests concerned fail), and the warning names the object and field.
 */
final class ConfigChecker {
  static final Comparator<ConfigError> ORDER =
      Comparator.comparing(ConfigError::namespace)
          .thenComparing(ConfigError::kind)
          .thenComparing(ConfigError::name)
          .thenComparing(ConfigError::field)
          .thenComparing(ConfigError::reason);

  private final PushContext push;

  ConfigChecker(PushContext push) {
    this.push = push;
  }

  List<ConfigError> check() {
    List<ConfigError> warnings = new ArrayList<>();
    for (Map.Entry<String, List<Config<VirtualServiceSpec>>> e :
        push.virtualServices().meshIndex().entrySet()) {
      String host = e.getKey();
      List<Config<VirtualServiceSpec>> list = e.getValue();
      if (push.service(host).isEmpty()
          && push.services().stream()
              .noneMatch(s -> SidecarScope.hostMatches(host, s.hostname()))) {
        for (Config<VirtualServiceSpec> vs : list) {
          warnings.add(
              warning(vs, "spec.hosts", "host " + host + " matches no service of the mesh"));
        }
      }
      for (int i = 1; i < list.size(); i++) {
        warnings.add(
            warning(
                list.get(i),
                "spec.hosts",
                "host "
                    + host
                    + " is already routed by VirtualService "
                    + list.get(0).ref().qualifiedName()
                    + ", which was created first and wins for sidecars"));
      }
    }
    Set<String> gateways = new HashSet<>();
    for (Config<GatewaySpec> g : push.gateways()) {
      gateways.add(g.namespace() + "/" + g.name());
    }
    for (Config<VirtualServiceSpec> vs : push.virtualServices().all()) {
      checkDestinations(vs, warnings);
      EnvoyRegexLimit.check(vs, warnings);
      List<String> bound = vs.spec().gateways();
      for (int i = 0; i < bound.size(); i++) {
        String g = bound.get(i);
        if (!g.equals(VirtualServiceSpec.MESH) && !gateways.contains(g)) {
          warnings.add(
              warning(
                  vs,
                  "spec.gateways[" + i + "]",
                  "gateway " + g + " does not exist; nothing is routed through it"));
        }
      }
    }
    new GrpcLimits(push).check(warnings);
    checkSidecars(warnings);
    return warnings;
  }

  private void checkDestinations(Config<VirtualServiceSpec> vs, List<ConfigError> warnings) {
    List<VirtualServiceSpec.HttpRoute> http = vs.spec().http();
    for (int i = 0; i < http.size(); i++) {
      List<RouteDestination> route = http.get(i).route();
      for (int j = 0; j < route.size(); j++) {
        checkDestination(
            vs, route.get(j), "spec.http[" + i + "].route[" + j + "].destination", warnings);
      }
      var mirrors = http.get(i).mirrors();
      for (int j = 0; j < mirrors.size(); j++) {
        var m = mirrors.get(j);
        checkDestination(
            vs,
            new RouteDestination(m.host(), m.subset(), m.port(), 0),
            "spec.http[" + i + "].mirror",
            warnings);
      }
    }
    for (int i = 0; i < vs.spec().tcp().size(); i++) {
      List<RouteDestination> route = vs.spec().tcp().get(i).route();
      for (int j = 0; j < route.size(); j++) {
        checkDestination(
            vs, route.get(j), "spec.tcp[" + i + "].route[" + j + "].destination", warnings);
      }
    }
    for (int i = 0; i < vs.spec().tls().size(); i++) {
      List<RouteDestination> route = vs.spec().tls().get(i).route();
      for (int j = 0; j < route.size(); j++) {
        checkDestination(
            vs, route.get(j), "spec.tls[" + i + "].route[" + j + "].destination", warnings);
      }
    }
  }

  private void checkDestination(
      Config<VirtualServiceSpec> vs, RouteDestination d, String field, List<ConfigError> warnings) {
    String host = d.host();
    Optional<MeshService> service = push.service(host);
    if (service.isEmpty()) {
      warnings.add(
          warning(
              vs,
              field + ".host",
              "no service " + host + " in the mesh; requests routed there fail"));
      return;
    }
    if (d.port() != 0 && service.get().port(d.port()).isEmpty()) {
      warnings.add(
          warning(vs, field + ".port.number", "service " + host + " has no port " + d.port()));
    }
    if (!d.subset().isEmpty()) {
      Optional<Config<DestinationRuleSpec>> dr = push.destinationRule(host, vs.namespace());
      if (dr.isEmpty() || dr.get().spec().subset(d.subset()).isEmpty()) {
        warnings.add(
            warning(
                vs,
                field + ".subset",
                "subset \""
                    + d.subset()
                    + "\" of "
                    + host
                    + " is not defined by any DestinationRule;"
                    + " requests routed there fail"));
      }
    }
  }

  /** Two Sidecars for the same workloads: Istio applies the oldest. */
  private void checkSidecars(List<ConfigError> warnings) {
    Map<String, Config<SidecarSpec>> first = new HashMap<>();
    List<Config<SidecarSpec>> all = new ArrayList<>(push.config().list(Kind.SIDECAR));
    all.sort(VirtualServices.PRECEDENCE);
    for (Config<SidecarSpec> sc : all) {
      if (!sc.spec().workloadSelector().isEmpty()) {
        continue;
      }
      Config<SidecarSpec> earlier = first.putIfAbsent(sc.namespace(), sc);
      if (earlier != null) {
        warnings.add(
            warning(
                sc,
                "spec",
                "namespace "
                    + sc.namespace()
                    + " already has Sidecar "
                    + earlier.name()
                    + " without workloadSelector, which was created first and applies; this one is ignored"));
      }
    }
  }

  static ConfigError warning(Config<?> c, String field, String reason) {
    return new ConfigError(c.origin(), c.kind().name(), c.namespace(), c.name(), field, reason);
  }
}
