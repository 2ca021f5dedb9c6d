package dev.mizzen.pilot.generate;

import dev.mizzen.pilot.proxy.Proxy;
import dev.mizzen.pilot.push.MeshService;
import dev.mizzen.pilot.push.PushContext;
import dev.mizzen.pilot.push.SidecarScope;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What one group of proxies sees of a push: the services exported to its namespace that its Sidecar
 * resource lets it reach, and whether it passes unknown traffic through. Computed once per group
 * and push (the services only when asked for: a push of a few services' endpoints looks at those).
 * Not thread-safe: one generation of one group uses it.
 */
final class ProxyScope {
  final PushContext push;
  final GroupKey key;
  final String viewer;
  final Map<String, String> labels;
  final SidecarScope sidecar;
  final boolean allowAny;

  /** Virtual hosts already built at this push, shared with the other groups' scopes. */
  final Map<VirtualHostKey, VirtualHost> virtualHosts;

  /** The services in scope, found at the first call of {@link #services}. */
  private List<MeshService> services;

  ProxyScope(PushContext push, GroupKey key, Map<VirtualHostKey, VirtualHost> virtualHosts) {
    this.push = push;
    this.virtualHosts = virtualHosts;
    this.key = key;
    this.viewer = key.namespace();
    this.labels = key.labels();
    // Sidecar resources configure sidecars only, never gateways.
    this.sidecar =
        key.type() == Proxy.Type.ROUTER ? SidecarScope.none() : push.sidecarScope(viewer, labels);
    this.allowAny = sidecar.registryOnly().map(r -> !r).orElse(push.mesh().allowAnyOutbound());
  }

  /** The services in scope (on at least one port), by host. */
  List<MeshService> services() {
    if (services == null) {
      List<MeshService> visible = new ArrayList<>();
      for (MeshService s : push.services()) {
        if (inScope(s)) {
          visible.add(s);
        }
      }
      services = List.copyOf(visible);
    }
    return services;
  }

  /** Whether {@code s} is in scope on at least one port. */
  boolean inScope(MeshService s) {
    return PushContext.visible(s, viewer) && sidecar.allowsAnyPort(s, viewer);
  }

  /** Whether {@code port} of {@code service} is in scope. */
  boolean allows(MeshService service, int port) {
    return PushContext.visible(service, viewer) && sidecar.allows(service, port, viewer);
  }
}
