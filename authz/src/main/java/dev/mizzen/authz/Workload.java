package dev.mizzen.authz;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A workload as authorization sees it.
 *
 * @param namespace its namespace
 * @param labels its labels (policy selectors match on them)
 * @param services the hosts of the services it serves ("web.shop.svc.cluster.local"), for
 *     ServiceMeshRbacConfig's inclusion and exclusion lists
 */
public record Workload(String namespace, Map<String, String> labels, Set<String> services) {
  public Workload {
    Objects.requireNonNull(namespace);
    labels = Map.copyOf(labels);
    services = Set.copyOf(services);
  }
}
