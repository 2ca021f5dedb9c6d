package dev.mizzen.pilot.control;

import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.ConfigError;
import dev.mizzen.ingest.model.Kind;
import dev.mizzen.ingest.model.ObjectRef;
import dev.mizzen.ingest.model.VirtualServiceSpec;
import dev.mizzen.ingest.store.ConfigChange;
import dev.mizzen.ingest.store.ConfigSnapshot;
import dev.mizzen.pilot.generate.ConfigGenerator;
import dev.mizzen.pilot.generate.GroupKey;
import dev.mizzen.pilot.proxy.Proxy;
import dev.mizzen.pilot.push.MeshSettings;
import dev.mizzen.pilot.push.VirtualServices;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The groups whose listeners and routes a change to VirtualServices alone can reach, as istiod asks
 * each proxy's sidecar scope whether it depends on a changed config. A sidecar's listeners and
 * routes are built for the services in its scope, each with the VirtualServices bound to the mesh
 * that name or cover (as a wildcard) the service's host; a router's from the VirtualServices bound
 * to its gateways. So a sidecar group needs them again only when a changed VirtualService, as it
 * was or as it is, names or covers a host in its scope, and routers only when one is bound to a
 * gateway.
 *
 * <p>The change reaches further than its own hosts, and every group is regenerated, when a delegate
 * changed (its roots name hosts it does not) or the objects refused changed beyond the changed
 * VirtualServices (a refusal lifted elsewhere serves other hosts).
 */
final class RouteReach {
  private final Set<String> meshHosts;
  private final boolean gateways;

  private RouteReach(Set<String> meshHosts, boolean gateways) {
    this.meshHosts = meshHosts;
    this.gateways = gateways;
  }

  /**
   * What {@code change} can reach, or empty when it is not a change to VirtualServices alone or may
   * reach every group.
   *
   * @param before the config and refusals of the last push
   * @param now the config of this push
   * @param refusedNow the objects refused at this push
   */
  static Optional<RouteReach> of(
      ConfigChange change,
      ConfigSnapshot before,
      List<ConfigError> refusedBefore,
      ConfigSnapshot now,
      List<ConfigError> refusedNow,
      MeshSettings mesh) {
    if (!PushScope.only(change, Set.of(Kind.VIRTUAL_SERVICE))) {
      return Optional.empty();
    }
    Set<String> changed = new HashSet<>();
    change.objects().forEach(r -> changed.add(r.toString()));
    if (!refusedElsewhere(refusedBefore, changed).equals(refusedElsewhere(refusedNow, changed))) {
      return Optional.empty();
    }
    Set<String> hosts = new HashSet<>();
    boolean gateways = false;
    for (ObjectRef ref : change.objects()) {
      for (ConfigSnapshot config : List.of(before, now)) {
        Optional<Config<VirtualServiceSpec>> vs =
            config.get(Kind.VIRTUAL_SERVICE, ref.namespace(), ref.name());
        if (vs.isEmpty()) {
          continue;
        }
        VirtualServiceSpec spec = vs.get().spec();
        if (spec.isDelegate()) {
          return Optional.empty();
        }
        for (String gateway : VirtualServices.gateways(spec)) {
          if (!gateway.equals(VirtualServiceSpec.MESH)) {
            gateways = true;
          } else {
            spec.hosts().forEach(h -> hosts.add(mesh.resolve(h, ref.namespace())));
          }
        }
      }
    }
    return Optional.of(new RouteReach(Set.copyOf(hosts), gateways));
  }

  private static Set<String> refusedElsewhere(List<ConfigError> refused, Set<String> changed) {
    Set<String> objects = new HashSet<>();
    for (ConfigError e : refused) {
      if (!changed.contains(e.object())) {
        objects.add(e.object());
      }
    }
    return objects;
  }

  /** Whether the change can reach the listeners and routes of {@code key}'s proxies. */
  boolean reaches(ConfigGenerator generator, GroupKey key) {
    if (key.type() == Proxy.Type.ROUTER) {
      return gateways;
    }
    return !meshHosts.isEmpty() && generator.seesAnyHost(key, meshHosts);
  }
}
