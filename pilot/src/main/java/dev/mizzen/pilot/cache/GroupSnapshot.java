package dev.mizzen.pilot.cache;

import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Everything served to one group of identical proxies at one push: immutable, shared by all their
 * streams. Each type carries its own version, so a push resends only the types that changed.
 *
 * @param <K> what the group's proxies have in common (the cache does not look inside it)
 */
public final class GroupSnapshot<K> {
  /** Where gRPC servers ask for their listener: {@code PREFIX + IP:PORT}. */
  public static final String GRPC_SERVER_PREFIX = "xds.istio.io/grpc/lds/inbound/";

  private final K key;
  private final long push;
  private final Map<String, TypeResources> types;
  private final Map<String, String> listenerAliases;
  private final Optional<Set<String>> unprovided;
  private final ConcurrentMap<String, Listener> renamed = new ConcurrentHashMap<>();

  private GroupSnapshot(
      K key,
      long push,
      Map<String, TypeResources> types,
      Map<String, String> listenerAliases,
      Optional<Set<String>> unprovided) {
    this.key = key;
    this.push = push;
    this.types = Map.copyOf(types);
    this.listenerAliases = listenerAliases;
    this.unprovided = unprovided;
  }

  /**
   * The snapshot after a push: types whose resources equal the previous snapshot's keep its version
   * (and its very objects), the others take the push's version.
   *
   * @param previous the group's last snapshot, or null for a new group
   */
  public static <K> GroupSnapshot<K> next(
      K key, long push, String version, ProxyResources resources, GroupSnapshot<K> previous) {
    Map<String, TypeResources> types = new HashMap<>();
    for (String type : TypeUrls.PUSH_ORDER) {
      var now = resources.of(type);
      TypeResources before = previous == null ? null : previous.types.get(type);
      if (before != null && before.resources().equals(now)) {
        types.put(type, before);
      } else if (before != null && TypeUrls.ENDPOINT.equals(type)) {
        // As istiod's incremental EDS: streams that hold one of the last assignments are sent only
        // those that changed since (a state-of-the-world response for endpoints need not repeat
        // the others, which the proxy keeps).
        types.put(
            type, TypeResources.after(before, version, now, changed(before.resources(), now)));
      } else {
        types.put(type, new TypeResources(version, now));
      }
    }
    return new GroupSnapshot<>(
        key, push, types, resources.listenerAliases(), resources.unprovided());
  }

  /** The names added, changed or removed from {@code before} to {@code now}. */
  private static Set<String> changed(
      SortedMap<String, Message> before, SortedMap<String, Message> now) {
    Set<String> changed = new HashSet<>();
    for (Map.Entry<String, Message> e : now.entrySet()) {
      Message was = before.get(e.getKey());
      if (was != e.getValue() && !e.getValue().equals(was)) {
        changed.add(e.getKey());
      }
    }
    for (String name : before.keySet()) {
      if (!now.containsKey(name)) {
        changed.add(name);
      }
    }
    return changed;
  }

  /**
   * What this snapshot serves with the resources of {@code types} replaced by {@code fresh}'s, for
   * a push that regenerated only those.
   */
  public ProxyResources with(ProxyResources fresh, Set<String> types) {
    Map<String, SortedMap<String, Message>> merged = new HashMap<>();
    for (String type : TypeUrls.PUSH_ORDER) {
      merged.put(type, types.contains(type) ? fresh.of(type) : this.types.get(type).resources());
    }
    return new ProxyResources(
        merged,
        types.contains(TypeUrls.LISTENER) ? fresh.listenerAliases() : listenerAliases,
        types.contains(TypeUrls.CLUSTER) ? fresh.unprovided() : unprovided);
  }

  /**
   * The clusters this snapshot holds empty because routes name them and no service provides them;
   * empty when not known.
   */
  public Optional<Set<String>> unprovided() {
    return unprovided;
  }

  public K key() {
    return key;
  }

  public long push() {
    return push;
  }

  public TypeResources type(String typeUrl) {
    TypeResources t = types.get(typeUrl);
    return t != null ? t : new TypeResources("", new TreeMap<>());
  }

  /** Total number of resources of every type. */
  public int size() {
    return types.values().stream().mapToInt(t -> t.resources().size()).sum();
  }

  /**
   * The resources a SotW response carries for a request: all of them for a wildcard request;
   * otherwise those named, where an unknown route configuration or cluster load assignment is
   * answered empty (so that nothing waits for it) and unknown listeners and clusters are left out.
   * A gRPC client may name a listener by a short host name; the listener then carries that name.
   *
   * @param names the requested names; ignored when {@code wildcard}
   */
  public List<Message> select(String typeUrl, boolean wildcard, Collection<String> names) {
    TypeResources t = type(typeUrl);
    if (wildcard) {
      return List.copyOf(t.resources().values());
    }
    List<Message> selected = new ArrayList<>(names.size());
    for (String name : Set.copyOf(names)) {
      Message m = t.resources().get(name);
      if (m == null && TypeUrls.LISTENER.equals(typeUrl)) {
        m = name.startsWith(GRPC_SERVER_PREFIX) ? serverListener(name) : alias(name);
      }
      if (m != null) {
        selected.add(m);
      } else if (TypeUrls.ROUTE.equals(typeUrl)) {
        selected.add(RouteConfiguration.newBuilder().setName(name).build());
      } else if (TypeUrls.ENDPOINT.equals(typeUrl)) {
        selected.add(ClusterLoadAssignment.newBuilder().setClusterName(name).build());
      }
    }
    return selected;
  }

  /**
   * A gRPC server listener for the address its name carries. grpc-java asks for {@code
   * .../inbound/0.0.0.0:PORT} even when bound to 127.0.0.1, and refuses a listener whose address is
   * not the name's; the snapshot holds one per served port, under 0.0.0.0. Names of ports the
   * workload does not serve are left out, as Istio leaves them out.
   */
  private Listener serverListener(String name) {
    String hostPort = name.substring(GRPC_SERVER_PREFIX.length());
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0) {
      return null;
    }
    String host = hostPort.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(hostPort.substring(colon + 1));
    } catch (NumberFormatException e) {
      return null;
    }
    Message template =
        type(TypeUrls.LISTENER).resources().get(GRPC_SERVER_PREFIX + "0.0.0.0:" + port);
    if (!(template instanceof Listener l)) {
      return null;
    }
    String address = host;
    return renamed.computeIfAbsent(
        name,
        n ->
            l.toBuilder()
                .setName(n)
                .setAddress(
                    Address.newBuilder()
                        .setSocketAddress(
                            SocketAddress.newBuilder().setAddress(address).setPortValue(port)))
                .build());
  }

  private Listener alias(String name) {
    String canonical = listenerAliases.get(name);
    if (canonical == null) {
      return null;
    }
    Message target = type(TypeUrls.LISTENER).resources().get(canonical);
    if (target == null) {
      return null;
    }
    return renamed.computeIfAbsent(name, n -> ((Listener) target).toBuilder().setName(n).build());
  }
}
