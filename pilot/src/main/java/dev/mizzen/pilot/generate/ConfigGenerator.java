package dev.mizzen.pilot.generate;

import com.google.protobuf.Message;
import dev.mizzen.pilot.cache.ProxyResources;
import dev.mizzen.pilot.cache.TypeUrls;
import dev.mizzen.pilot.proxy.Proxy;
import dev.mizzen.pilot.push.MeshService;
import dev.mizzen.pilot.push.PushContext;
import dev.mizzen.pilot.push.SidecarScope;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Produces the resources of one push for each group of proxies, type by type: a push that changes
 * only some types asks only for those. Clusters and endpoints come from {@link ClusterGenerator};
 * listeners and routes from the generator of the group's kind of proxy (sidecar, gateway, proxyless
 * gRPC). One instance per push: it holds what is built once per push and shared by every group that
 * sees it alike (a service port's clusters and endpoints under one DestinationRule, virtual hosts),
 * and those memos end with it. Thread-safe: groups may be generated in parallel.
 */
public final class ConfigGenerator {
  /** Every type, for a full push. */
  public static final Set<String> ALL_TYPES = Set.copyOf(TypeUrls.PUSH_ORDER);

  private final PushContext push;
  private final InboundBuilder inboundBuilder;
  private final ClusterGenerator clusters;

  /**
   * Virtual hosts by everything they are built from (see {@link VirtualHostKey}): groups in
   * different namespaces mostly see a service alike, and then share one, built once per push.
   */
  private final ConcurrentMap<VirtualHostKey, VirtualHost> virtualHosts = new ConcurrentHashMap<>();

  public ConfigGenerator(PushContext push) {
    this.push = push;
    this.inboundBuilder = new InboundBuilder(push.mesh());
    this.clusters = new ClusterGenerator(push, inboundBuilder);
  }

  public PushContext push() {
    return push;
  }

  /** Everything a proxy of this shape is served; consistent by construction, checked on publish. */
  public ProxyResources generate(GroupKey key) {
    return generate(key, ALL_TYPES);
  }

  /** The resources of {@code types} only, for a push that cannot have changed the others. */
  public ProxyResources generate(GroupKey key, Set<String> types) {
    ProxyScope scope = new ProxyScope(push, key, virtualHosts);
    boolean grpc = key.generator() == Proxy.Generator.GRPC;
    Map<String, SortedMap<String, Message>> out = new HashMap<>();
    Map<String, String> aliases = new HashMap<>();
    Optional<Set<String>> unprovided = Optional.empty();
    if (types.contains(TypeUrls.CLUSTER) || types.contains(TypeUrls.ENDPOINT)) {
      SortedMap<String, Message> clusters = new TreeMap<>();
      SortedMap<String, Message> endpoints = new TreeMap<>();
      unprovided = this.clusters.generate(scope, clusters, endpoints);
      put(out, types, TypeUrls.CLUSTER, clusters);
      put(out, types, TypeUrls.ENDPOINT, endpoints);
    }
    if (types.contains(TypeUrls.LISTENER) || types.contains(TypeUrls.ROUTE)) {
      SortedMap<String, Message> listeners = new TreeMap<>();
      SortedMap<String, Message> routes = new TreeMap<>();
      if (grpc) {
        new GrpcGenerator(scope, inboundBuilder).generate(listeners, routes, aliases);
      } else if (key.type() == Proxy.Type.ROUTER) {
        GatewayGenerator gateway =
            new GatewayGenerator(scope, push.authz().workload(key.workload()));
        if (types.contains(TypeUrls.LISTENER)) {
          gateway.listeners(listeners);
        }
        if (types.contains(TypeUrls.ROUTE)) {
          new GatewayRoutes(scope, gateway).routes(routes);
        }
      } else {
        SidecarGenerator sidecar = new SidecarGenerator(scope, inboundBuilder);
        if (types.contains(TypeUrls.LISTENER)) {
          sidecar.listeners(listeners);
        }
        if (types.contains(TypeUrls.ROUTE)) {
          sidecar.routes(routes);
        }
      }
      put(out, types, TypeUrls.LISTENER, listeners);
      put(out, types, TypeUrls.ROUTE, routes);
    }
    return new ProxyResources(
        out, types.contains(TypeUrls.LISTENER) ? aliases : Map.of(), unprovided);
  }

  /**
   * The clusters and load assignments of the services of {@code hosts} that {@code key}'s proxies
   * see, alone: for a push that changed only those services' endpoints, to be laid over the group's
   * previous clusters and assignments (which hold every name these have).
   */
  public ProxyResources generateEndpoints(GroupKey key, Set<String> hosts) {
    SortedMap<String, Message> clusters = new TreeMap<>();
    SortedMap<String, Message> endpoints = new TreeMap<>();
    this.clusters.generateFor(new ProxyScope(push, key, virtualHosts), hosts, clusters, endpoints);
    return new ProxyResources(
        Map.of(TypeUrls.CLUSTER, clusters, TypeUrls.ENDPOINT, endpoints), Map.of());
  }

  /**
   * Whether a service in the scope of {@code key}'s proxies has a host that one of {@code hosts}
   * names or covers (Istio's host patterns: {@code *}, {@code *.suffix}, or a name): the
   * VirtualServices bound to the mesh are looked up by those services' hosts only.
   */
  public boolean seesAnyHost(GroupKey key, Set<String> hosts) {
    for (MeshService s : new ProxyScope(push, key, virtualHosts).services()) {
      for (String pattern : hosts) {
        if (SidecarScope.hostMatches(pattern, s.hostname())) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * The clusters the routes of {@code key}'s proxies may name, as the cluster generator finds them;
   * empty when it cannot tell without building the routes (routers: their Gateways decide). Those
   * that no service provides get empty clusters: with services, destination rules and policies
   * unchanged, clusters and endpoints change only when that set does.
   */
  public Optional<Set<String>> referencedDestinations(GroupKey key) {
    if (key.type() == Proxy.Type.ROUTER) {
      return Optional.empty();
    }
    return Optional.of(
        Set.copyOf(Destinations.referenced(new ProxyScope(push, key, virtualHosts))));
  }

  private static void put(
      Map<String, SortedMap<String, Message>> out,
      Set<String> types,
      String type,
      SortedMap<String, Message> resources) {
    if (types.contains(type)) {
      out.put(type, resources);
    }
  }
}
