package dev.mizzen.pilot.push;

import java.time.Duration;
import java.util.Objects;

/**
 * Mesh-wide settings of one control plane.
 *
 * @param controlPlaneNamespace the control plane's namespace
 * @param rootNamespace the namespace whose config applies mesh-wide (Istio's root namespace)
 * @param domainSuffix the cluster's DNS suffix, "cluster.local" by default
 * @param connectTimeout connect timeout of generated clusters
 * @param allowAnyOutbound whether sidecars pass traffic to unknown hosts through (ALLOW_ANY) or
 *     drop it (REGISTRY_ONLY)
 */
public record MeshSettings(
    String controlPlaneNamespace,
    String rootNamespace,
    String domainSuffix,
    Duration connectTimeout,
    boolean allowAnyOutbound) {

  public MeshSettings {
    Objects.requireNonNull(controlPlaneNamespace);
    Objects.requireNonNull(rootNamespace);
    Objects.requireNonNull(domainSuffix);
    Objects.requireNonNull(connectTimeout);
  }

  /** Istio's defaults for a control plane in {@code namespace}. */
  public static MeshSettings defaults(String namespace) {
    return new MeshSettings(namespace, namespace, "cluster.local", Duration.ofSeconds(10), true);
  }

  public MeshSettings withDomainSuffix(String suffix) {
    return new MeshSettings(controlPlaneNamespace, rootNamespace, suffix, connectTimeout, allowAnyOutbound);
  }

  /** The fully qualified name of a Service. */
  public String hostname(String namespace, String name) {
    return name + "." + namespace + ".svc." + domainSuffix;
  }

  /**
   * Istio's rule for hosts written in config: a name without dots is short for a Service in the
   * config's own namespace; anything else is taken as written.
   */
  public String resolve(String host, String namespace) {
    if (host.equals("*") || host.contains(".")) {
      return host;
    }
    return hostname(namespace, host);
  }
}
