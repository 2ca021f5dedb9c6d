package dev.mizzen.pilot.analysis;

import dev.mizzen.pilot.push.MeshService;
import dev.mizzen.pilot.push.PushContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which service a host written in config names, as Istio's analyzers look it up: the host made
 * absolute in the config's namespace, a service of that name (or a ServiceEntry's wildcard host
 * covering it) that the config's namespace, or a namespace it exports to, may see.
 */
final class ServiceLookup {
  private final PushContext push;
  private final List<MeshService> wildcards = new ArrayList<>();

  ServiceLookup(PushContext push) {
    this.push = push;
    for (MeshService s : push.services()) {
      if (s.hostname().startsWith("*")) {
        wildcards.add(s);
      }
    }
  }

  /**
   * @param written the host as written
   * @param namespace the namespace of the config naming it
   * @param exportTo that config's exportTo
   */
  Optional<MeshService> find(String written, String namespace, List<String> exportTo) {
    String host = push.mesh().resolve(written, namespace);
    Optional<MeshService> exact = push.service(host);
    if (exact.isPresent() && visible(exact.get(), namespace, exportTo)) {
      return exact;
    }
    String suffix = host.startsWith("*") ? host.substring(1) : host;
    for (MeshService s : wildcards) {
      if (suffix.endsWith(s.hostname().substring(1)) && visible(s, namespace, exportTo)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  /**
   * Whether any service the config may see is covered by {@code written}, a host that may be a
   * wildcard itself (a DestinationRule for {@code *.shop.svc.cluster.local}).
   */
  boolean anyMatches(String written, String namespace, List<String> exportTo) {
    if (find(written, namespace, exportTo).isPresent()) {
      return true;
    }
    String host = push.mesh().resolve(written, namespace);
    if (!host.startsWith("*")) {
      return false;
    }
    for (MeshService s : push.services()) {
      if (PushContext.hostMatches(host, s.hostname()) && visible(s, namespace, exportTo)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether any service of the mesh, whoever may see it, has {@code host} (absolute, maybe a
   * wildcard), a ServiceEntry's wildcard covers it, or it covers a service.
   */
  boolean anyService(String host) {
    if (push.service(host).isPresent()) {
      return true;
    }
    String suffix = host.startsWith("*") ? host.substring(1) : host;
    for (MeshService s : wildcards) {
      if (suffix.endsWith(s.hostname().substring(1))) {
        return true;
      }
    }
    for (MeshService s : push.services()) {
      if (PushContext.hostMatches(host, s.hostname())) {
        return true;
      }
    }
    return false;
  }

  /** Whether config of {@code namespace} exported to {@code exportTo} may see {@code service}. */
  private static boolean visible(MeshService service, String namespace, List<String> exportTo) {
    if (PushContext.visible(service, namespace)) {
      return true;
    }
    for (String e : exportTo) {
      if (e.equals("*")) {
        if (service.exportTo().isEmpty() || service.exportTo().contains("*")) {
          return true;
        }
      } else if (!e.equals(".") && !e.equals("~") && PushContext.visible(service, e)) {
        return true;
      }
    }
    return false;
  }
}
