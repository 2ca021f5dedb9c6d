package dev.mizzen.openshift.inject;

import java.util.Objects;

/**
 * How to inject.
 *
 * @param controlPlaneNamespace the control plane's namespace
 * @param discoveryAddress the secure xDS address injected proxies connect to ({@code host:port})
 * @param domain the cluster's DNS suffix
 * @param cni whether the CNI plugin redirects pods' traffic, so that no init container is added
 * @param template what is added to a pod
 */
public record Injection(
    String controlPlaneNamespace,
    String discoveryAddress,
    String domain,
    boolean cni,
    InjectionTemplate template) {
  public Injection {
    Objects.requireNonNull(controlPlaneNamespace, "controlPlaneNamespace");
    Objects.requireNonNull(discoveryAddress, "discoveryAddress");
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(template, "template");
  }

  /** The secure xDS address of the control plane's Service, {@code mizzen.NAMESPACE.svc:PORT}. */
  public static String serviceAddress(String controlPlaneNamespace, int securePort) {
    return "mizzen." + controlPlaneNamespace + ".svc:" + securePort;
  }
}
