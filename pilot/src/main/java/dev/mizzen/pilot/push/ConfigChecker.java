package dev.mizzen.pilot.push;

import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.ConfigError;
import dev.mizzen.ingest.model.DestinationRuleSpec;
import dev.mizzen.ingest.model.VirtualServiceSpec;
import dev.mizzen.ingest.model.VirtualServiceSpec.RouteDestination;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Finds what is valid on its own but wrong in context: a route to a host the mesh does not know, a
 * subset no DestinationRule defines, two VirtualServices for one host. Such config is still
 * served, as Istio serves it (the requests concerned fail), and the warning names the object and
 * field.
 */
final class ConfigChecker {
  private final PushContext push;

  ConfigChecker(PushContext push) {
    this.push = push;
  }

  List<ConfigError> check() {
    List<ConfigError> warnings = new ArrayList<>();
    Set<Object> seen = new HashSet<>();
    for (Map.Entry<String, List<Config<VirtualServiceSpec>>> e : push.virtualServiceIndex().entrySet()) {
      List<Config<VirtualServiceSpec>> list = e.getValue();
      if (push.service(e.getKey()).isEmpty()) {
        for (Config<VirtualServiceSpec> vs : list) {
          warnings.add(warning(vs, "spec.hosts", "host " + e.getKey() + " matches no service of the mesh"));
        }
      }
      for (int i = 1; i < list.size(); i++) {
        warnings.add(
            warning(
                list.get(i),
                "spec.hosts",
                "host "
                    + e.getKey()
                    + " is already routed by VirtualService "
                    + list.get(0).ref().qualifiedName()
                    + ", which was created first and wins"));
      }
      for (Config<VirtualServiceSpec> vs : list) {
        if (seen.add(vs.ref())) {
          checkDestinations(vs, warnings);
        }
      }
    }
    warnings.sort(ORDER);
    return warnings;
  }

  private static final java.util.Comparator<ConfigError> ORDER =
      java.util.Comparator.comparing(ConfigError::namespace)
          .thenComparing(ConfigError::kind)
          .thenComparing(ConfigError::name)
          .thenComparing(ConfigError::field)
          .thenComparing(ConfigError::reason);

  private void checkDestinations(Config<VirtualServiceSpec> vs, List<ConfigError> warnings) {
    MeshSettings mesh = push.mesh();
    List<VirtualServiceSpec.HttpRoute> http = vs.spec().http();
    for (int i = 0; i < http.size(); i++) {
      List<RouteDestination> route = http.get(i).route();
      for (int j = 0; j < route.size(); j++) {
        RouteDestination d = route.get(j);
        String field = "spec.http[" + i + "].route[" + j + "].destination";
        String host = mesh.resolve(d.host(), vs.namespace());
        Optional<MeshService> service = push.service(host);
        if (service.isEmpty()) {
          warnings.add(warning(vs, field + ".host", "no service " + host + " in the mesh; requests routed there fail"));
          continue;
        }
        if (d.port() != 0 && service.get().spec().port(d.port()).isEmpty()) {
          warnings.add(warning(vs, field + ".port.number", "service " + host + " has no port " + d.port()));
        }
        if (!d.subset().isEmpty()) {
          Optional<Config<DestinationRuleSpec>> dr = push.destinationRule(host, vs.namespace());
          if (dr.isEmpty() || dr.get().spec().subset(d.subset()).isEmpty()) {
            warnings.add(
                warning(
                    vs,
                    field + ".subset",
                    "subset \"" + d.subset() + "\" of " + host + " is not defined by any DestinationRule;"
                        + " requests routed there fail"));
          }
        }
      }
    }
  }

  private static ConfigError warning(Config<?> c, String field, String reason) {
    return new ConfigError(c.origin(), c.kind().name(), c.namespace(), c.name(), field, reason);
  }
}
