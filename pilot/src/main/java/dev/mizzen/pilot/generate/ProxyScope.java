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
 * and push.
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

  private final List<MeshService> services;

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
    List<MeshService> visible = new ArrayList<>();
    for (MeshService s : push.services()) {
      if (PushContext.visible(s, viewer) && sidecar.allowsAnyPort(s, viewer)) {
        visible.add(s);
      }
    }
    this.services = List.copyOf(visible);
  }

  /** The services in scope (on at least one port), by host. */
  List<MeshService> services() {
    return services;
  }

  /** Whether {@code port} of {@code service} is in scope. */
  boolean allows(MeshService service, int port) {
    return PushContext.visible(service, viewer) && sidecar.allows(service, port, viewer);
  }
}
