package dev.mizzen.pilot.generate;

import dev.mizzen.pilot.proxy.Proxy;
import java.util.Objects;

/**
 * The shape of a proxy: everything its config depends on. Proxies with equal keys are served one
 * shared snapshot.
 *
 * @param generator Envoy or proxyless gRPC
 * @param type sidecar or router
 * @param namespace the proxy's namespace (short names, visibility and DestinationRule choice
 *     depend on it)
 */
public record GroupKey(Proxy.Generator generator, Proxy.Type type, String namespace) {

  public GroupKey {
    Objects.requireNonNull(generator);
    Objects.requireNonNull(type);
    Objects.requireNonNull(namespace);
  }

  public static GroupKey of(Proxy proxy) {
    return new GroupKey(proxy.generator(), proxy.type(), proxy.namespace());
  }

  @Override
  public String toString() {
    return generator.name().toLowerCase(java.util.Locale.ROOT)
        + "/"
        + type.istioName()
        + "/"
        + namespace;
  }
}
