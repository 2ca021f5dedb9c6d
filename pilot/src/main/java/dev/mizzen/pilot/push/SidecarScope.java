package dev.mizzen.pilot.push;

import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.SidecarSpec;
import dev.mizzen.ingest.model.SidecarSpec.EgressListener;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one proxy may reach and serve, by the Sidecar resource that applies to it: the one whose
 * selector picks it in its namespace (the oldest when several do), else its namespace's Sidecar
 * without selector, else the root namespace's. Without any, everything visible to the namespace is
 * in scope, as in Istio.
 */
public final class SidecarScope {
  private static final SidecarScope EVERYTHING = new SidecarScope(null);

  private final Config<SidecarSpec> sidecar;

  private SidecarScope(Config<SidecarSpec> sidecar) {
    this.sidecar = sidecar;
  }

  static SidecarScope select(
      List<Config<SidecarSpec>> sidecars,
      String namespace,
      Map<String, String> labels,
      String rootNamespace) {
    Config<SidecarSpec> namespaceDefault = null;
    Config<SidecarSpec> meshDefault = null;
    for (Config<SidecarSpec> sc : sidecars) {
      Map<String, String> selector = sc.spec().workloadSelector();
      if (sc.namespace().equals(namespace)) {
        if (!selector.isEmpty() && labels.entrySet().containsAll(selector.entrySet())) {
          return new SidecarScope(sc);
        }
        if (selector.isEmpty() && namespaceDefault == null) {
          namespaceDefault = sc;
        }
      } else if (sc.namespace().equals(rootNamespace)
          && selector.isEmpty()
          && meshDefault == null) {
        meshDefault = sc;
      }
    }
    Config<SidecarSpec> chosen = namespaceDefault != null ? namespaceDefault : meshDefault;
    return chosen == null ? EVERYTHING : new SidecarScope(chosen);
  }

  /**
   * No Sidecar resource: everything visible is in scope (routers, which Sidecars never apply to).
   */
  public static SidecarScope none() {
    return EVERYTHING;
  }

  /** The Sidecar resource in force, if any. */
  public Optional<Config<SidecarSpec>> sidecar() {
    return Optional.ofNullable(sidecar);
  }

  /**
   * Whether a proxy in {@code viewer} may reach {@code service} on {@code port}: the egress
   * listener of that port decides, else the one without port; with a Sidecar having neither,
   * nothing.
   */
  public boolean allows(MeshService service, int port, String viewer) {
    if (sidecar == null || sidecar.spec().egress().isEmpty()) {
      return true;
    }
    EgressListener listener = listenerFor(port);
    return listener != null
        && matches(listener.hosts(), service.namespace(), service.hostname(), viewer);
  }

  /** Whether the service is in scope on some port. */
  public boolean allowsAnyPort(MeshService service, String viewer) {
    return service.ports().stream().anyMatch(p -> allows(service, p.port(), viewer));
  }

  /** REGISTRY_ONLY (true), ALLOW_ANY (false), or empty when the mesh decides. */
  public Optional<Boolean> registryOnly() {
    return sidecar == null
        ? Optional.empty()
        : Optional.ofNullable(sidecar.spec().outboundRegistryOnly());
  }

  /** The ports the workload serves by the Sidecar, empty when its services decide. */
  public List<SidecarSpec.IngressListener> ingress() {
    return sidecar == null ? List.of() : sidecar.spec().ingress();
  }

  private EgressListener listenerFor(int port) {
    EgressListener catchAll = null;
    for (EgressListener l : sidecar.spec().egress()) {
      if (l.port() == port) {
        return l;
      }
      if (l.port() == 0) {
        catchAll = l;
      }
    }
    return catchAll;
  }

  private boolean matches(List<String> hosts, String namespace, String host, String viewer) {
    for (String h : hosts) {
      int slash = h.indexOf('/');
      String ns = h.substring(0, slash);
      String name = h.substring(slash + 1);
      boolean nsMatches =
          switch (ns) {
            case "*" -> true;
            case "~" -> false;
            // In a mesh-wide Sidecar of the root namespace, "." is the proxy's namespace, as in
            // Istio.
            case "." -> namespace.equals(viewer);
            default -> namespace.equals(ns);
          };
      if (nsMatches && hostMatches(name, host)) {
        return true;
      }
    }
    return false;
  }

  /** Istio's host matching: "*" all, "*.suffix" a wildcard, else the exact name. */
  public static boolean hostMatches(String pattern, String host) {
    if (pattern.equals("*") || pattern.equals(host)) {
      return true;
    }
    if (pattern.startsWith("*.")) {
      String suffix = pattern.substring(1);
      return host.endsWith(suffix) && host.length() > suffix.length();
    }
    return false;
  }
}
