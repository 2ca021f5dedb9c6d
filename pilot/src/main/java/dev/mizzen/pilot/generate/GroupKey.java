package dev.mizzen.pilot.generate;

import dev.mizzen.authz.Workload;
import dev.mizzen.pilot.proxy.Proxy;
import dev.mizzen.pilot.push.PushContext;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The shape of a proxy: everything its config depends on. Proxies with equal keys are served one
 * shared snapshot. The key depends on the push (which labels policies select on, which services a
 * workload serves), so it is computed again at every push.
 *
 * @param generator Envoy or proxyless gRPC
 * @param type sidecar or router
 * @param namespace the proxy's namespace (short names, visibility and DestinationRule choice depend
 *     on it)
 * @param labels those of the proxy's labels its config depends on: named by a policy or Sidecar
 *     selector in its namespace or the root namespace, by a VirtualService's sourceLabels, or, for
 *     routers, by a Gateway's selector; replicas of one workload agree on them
 * @param services the hosts of the services whose endpoints are this workload
 * @param inbound the ports it serves them on
 * @param secrets whether its proxies proved they may read their namespace's Secrets, and are served
 *     those their config names (see {@link Proxy#readsSecrets})
 */
public record GroupKey(
    Proxy.Generator generator,
    Proxy.Type type,
    String namespace,
    SortedMap<String, String> labels,
    SortedSet<String> services,
    List<InboundPort> inbound,
    boolean secrets) {

  public GroupKey {
    Objects.requireNonNull(generator);
    Objects.requireNonNull(type);
    Objects.requireNonNull(namespace);
    labels = Collections.unmodifiableSortedMap(new TreeMap<>(labels));
    services = Collections.unmodifiableSortedSet(new TreeSet<>(services));
    inbound = List.copyOf(inbound);
  }

  /** Proxies that are served no Secrets. */
  public GroupKey(
      Proxy.Generator generator,
      Proxy.Type type,
      String namespace,
      SortedMap<String, String> labels,
      SortedSet<String> services,
      List<InboundPort> inbound) {
    this(generator, type, namespace, labels, services, inbound, false);
  }

  /** A proxy that serves nothing and that no policy selects. */
  public GroupKey(Proxy.Generator generator, Proxy.Type type, String namespace) {
    this(generator, type, namespace, new TreeMap<>(), new TreeSet<>(), List.of());
  }

  /** The shape of {@code proxy} in {@code push}. */
  public static GroupKey of(Proxy proxy, PushContext push) {
    SortedMap<String, String> selected = new TreeMap<>();
    boolean router =
        proxy.type() == Proxy.Type.ROUTER && proxy.generator() == Proxy.Generator.ENVOY;
    for (String key : push.labelKeys(proxy.namespace(), router)) {
      String value = proxy.labels().get(key);
      if (value != null) {
        selected.put(key, value);
      }
    }
    if (router) {
      // A gateway serves what its Gateways say, not the services whose endpoints it is.
      return new GroupKey(
          proxy.generator(),
          proxy.type(),
          proxy.namespace(),
          selected,
          new TreeSet<>(),
          List.of(),
          proxy.readsSecrets());
    }
    InboundPorts.Found found =
        InboundPorts.find(push, proxy, push.sidecarScope(proxy.namespace(), selected));
    return new GroupKey(
        proxy.generator(),
        proxy.type(),
        proxy.namespace(),
        selected,
        found.services(),
        found.ports(),
        proxy.readsSecrets());
  }

  /** The key with labels and services, as the authorization of the workload sees it. */
  public Workload workload() {
    return new Workload(namespace, Map.copyOf(labels), services);
  }

  @Override
  public String toString() {
    StringBuilder b =
        new StringBuilder(generator.name().toLowerCase(Locale.ROOT))
            .append('/')
            .append(type.istioName())
            .append('/')
            .append(namespace);
    if (!labels.isEmpty()) {
      b.append(labels);
    }
    if (!inbound.isEmpty()) {
      b.append(inbound.stream().map(p -> String.valueOf(p.port())).toList());
    }
    if (secrets) {
      b.append("+secrets");
    }
    return b.toString();
  }
}
