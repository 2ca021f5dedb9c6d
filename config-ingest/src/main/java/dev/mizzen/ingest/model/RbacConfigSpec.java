package dev.mizzen.ingest.model;

import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * A ServiceMeshRbacConfig (rbac.maistra.io): Maistra's control-plane-wide switch for authorization,
 * in the schema of Istio's retired ClusterRbacConfig. Only the one named {@code default} in the
 * control plane's namespace is honoured.
 *
 * @param mode where authorization is enforced
 * @param inclusion what ON_WITH_INCLUSION enforces
 * @param exclusion what ON_WITH_EXCLUSION leaves out
 * @param permissive whether decisions are only logged (enforcementMode PERMISSIVE)
 */
public record RbacConfigSpec(Mode mode, Target inclusion, Target exclusion, boolean permissive)
    implements Spec {

  public RbacConfigSpec {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(inclusion, "inclusion");
    Objects.requireNonNull(exclusion, "exclusion");
  }

  /** Where authorization is enforced. */
  public enum Mode {
    OFF,
    ON,
    ON_WITH_INCLUSION,
    ON_WITH_EXCLUSION
  }

  /**
   * Services and namespaces.
   *
   * @param services service host names, such as "reviews.bookinfo.svc.cluster.local"
   * @param namespaces namespace names
   */
  public record Target(List<String> services, List<String> namespaces) {
    public Target {
      services = List.copyOf(services);
      namespaces = List.copyOf(namespaces);
    }

    /** Whether a workload of {@code namespace} behind {@code hosts} is listed. */
    public boolean lists(String namespace, Collection<String> hosts) {
      if (namespaces.contains(namespace)) {
        return true;
      }
      for (String h : hosts) {
        if (services.contains(h)) {
          return true;
        }
      }
      return false;
    }
  }
}
