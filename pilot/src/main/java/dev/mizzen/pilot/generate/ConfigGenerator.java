package dev.mizzen.pilot.generate;

import com.google.protobuf.Message;
import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.DestinationRuleSpec;
import dev.mizzen.ingest.model.DestinationRuleSpec.TrafficPolicy;
import dev.mizzen.ingest.model.Protocol;
import dev.mizzen.ingest.model.ServiceSpec.ServicePort;
import dev.mizzen.pilot.cache.ProxyResources;
import dev.mizzen.pilot.cache.TypeUrls;
import dev.mizzen.pilot.proxy.Proxy;
import dev.mizzen.pilot.push.Endpoint;
import dev.mizzen.pilot.push.MeshService;
import dev.mizzen.pilot.push.PushContext;
import dev.mizzen.pilot.push.TracingCollector;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import java.util.ArrayList;
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
 * Produces the resources of one push for each group of proxies, type by type: a push that changes
 * only some types asks only for those. Parts that do not depend on the group (a service port's
 * clusters and endpoints under one DestinationRule) are built once per push and shared by every
 * group that sees them. Thread-safe: groups may be generated in parallel.
 */
public final class ConfigGenerator {
  /** Every type, for a full push. */
  public static final Set<String> ALL_TYPES = Set.copyOf(TypeUrls.PUSH_ORDER);

  private final PushContext push;
  private final ClusterBuilder clusterBuilder;
  private final InboundBuilder inboundBuilder;
  private final UpstreamTls upstreamTls;
  private final ConcurrentMap<List<Object>, List<Cluster>> clusterMemo = new ConcurrentHashMap<>();

  /**
   * Virtual hosts by everything they are built from (see {@link RouteBuilder}): groups in different
   * namespaces mostly see a service alike, and then share one, built once per push.
   */
  private final ConcurrentMap<List<Object>, VirtualHost> virtualHosts = new ConcurrentHashMap<>();

  private final ConcurrentMap<List<Object>, List<ClusterLoadAssignment>> endpointMemo =
      new ConcurrentHashMap<>();

  public ConfigGenerator(PushContext push) {
    this.push = push;
    this.clusterBuilder = new ClusterBuilder(push.mesh());
    this.inboundBuilder = new InboundBuilder(push.mesh());
    this.upstreamTls = new UpstreamTls(push);
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
      unprovided = clusters(scope, grpc, clusters, endpoints);
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

  /**
   * The clusters and endpoints of the services in scope, the fixed clusters, the inbound ones, the
   * tracing collector's, and an empty one for every destination routes may name that no service
   * provides (Istio sends such routes anyway and the requests fail; Mizzen also sends the clusters,
   * so that every route a proxy holds points at a cluster it holds).
   */
  private Optional<Set<String>> clusters(
      ProxyScope scope,
      boolean grpc,
      Map<String, Message> clusters,
      Map<String, Message> endpoints) {
    for (MeshService s : scope.services()) {
      if (grpc && s.discovery() == MeshService.Discovery.PASSTHROUGH) {
        continue;
      }
      for (ServicePort p : s.ports()) {
        if (scope.allows(s, p.port())) {
          serviceClusters(s, p, scope.viewer, grpc, clusters, endpoints);
        }
      }
    }
    Set<String> referenced = Destinations.referenced(scope);
    if (!grpc) {
      clusters.put(ClusterNames.BLACK_HOLE, clusterBuilder.blackHole());
      clusters.put(ClusterNames.PASSTHROUGH, clusterBuilder.passthrough());
      Optional<TracingCollector> tracing = push.tracing();
      if (tracing.isPresent()) {
        TracingCollector t = tracing.get();
        t.service()
            .port(t.port())
            .ifPresent(
                p -> serviceClusters(t.service(), p, scope.viewer, false, clusters, endpoints));
      }
      if (scope.key.type() == Proxy.Type.SIDECAR) {
        for (Cluster c : inboundBuilder.clusters(scope.key.inbound(), clusterBuilder)) {
          clusters.put(c.getName(), c);
        }
      } else {
        GatewayGenerator gateway =
            new GatewayGenerator(scope, push.authz().workload(scope.key.workload()));
        referenced.addAll(gateway.referenced());
        if (gateway.autoPassthrough()) {
          sniClusters(scope, clusters);
        }
      }
    }
    Set<String> unprovided = new HashSet<>();
    for (String name : referenced) {
      if (!clusters.containsKey(name)) {
        clusters.put(name, clusterBuilder.eds(name, Protocol.UNSPECIFIED, grpc));
        endpoints.put(name, EndpointBuilder.empty(name));
        unprovided.add(name);
      }
    }
    return scope.key.type() == Proxy.Type.ROUTER
        ? Optional.empty()
        : Optional.of(Set.copyOf(unprovided));
  }

  private void serviceClusters(
      MeshService s,
      ServicePort p,
      String viewer,
      boolean grpc,
      Map<String, Message> clusters,
      Map<String, Message> endpoints) {
    Optional<Config<DestinationRuleSpec>> dr = push.destinationRule(s.hostname(), viewer);
    List<Object> key =
        List.of(
            s.hostname(), p.port(), dr.map(Config::ref).map(Object.class::cast).orElse(""), grpc);
    List<ClusterLoadAssignment> assignments =
        endpointMemo.computeIfAbsent(key, k -> buildEndpoints(s, p, dr, grpc));
    List<Cluster> built = clusterMemo.computeIfAbsent(key, k -> buildClusters(s, p, dr, grpc));
    for (int i = 0; i < built.size(); i++) {
      Cluster c = built.get(i);
      clusters.put(c.getName(), c);
      if (c.getType() == Cluster.DiscoveryType.EDS) {
        endpoints.put(c.getName(), assignments.get(i));
      }
    }
  }

  private static List<String> subsets(Optional<Config<DestinationRuleSpec>> dr) {
    List<String> out = new ArrayList<>();
    out.add("");
    dr.ifPresent(d -> d.spec().subsets().forEach(s -> out.add(s.name())));
    return out;
  }

  private List<Cluster> buildClusters(
      MeshService s, ServicePort p, Optional<Config<DestinationRuleSpec>> dr, boolean grpc) {
    List<Cluster> result = new ArrayList<>();
    for (String subset : subsets(dr)) {
      TrafficPolicy policy = EffectivePolicy.of(dr, subset, p.port());
      UpstreamTls.Decision tls = upstreamTls.decide(s, p, subset, policy.tls(), grpc);
      if (tls.unusable()) {
        // Nothing to call: an EDS cluster whose endpoints are sent empty (see buildEndpoints).
        result.add(
            clusterBuilder.eds(
                ClusterNames.outbound(p.port(), subset, s.hostname()), p.protocol(), grpc));
        continue;
      }
      result.add(
          clusterBuilder.service(
              s, p, subset, policy, tls.socket(), subsetEndpoints(s, p, dr, subset), grpc));
    }
    return List.copyOf(result);
  }

  private List<ClusterLoadAssignment> buildEndpoints(
      MeshService s, ServicePort p, Optional<Config<DestinationRuleSpec>> dr, boolean grpc) {
    List<ClusterLoadAssignment> result = new ArrayList<>();
    for (String subset : subsets(dr)) {
      String name = ClusterNames.outbound(p.port(), subset, s.hostname());
      TrafficPolicy policy = EffectivePolicy.of(dr, subset, p.port());
      boolean unusable = upstreamTls.decide(s, p, subset, policy.tls(), grpc).unusable();
      // A client that cannot originate the TLS asked for is given nothing to call in plain text.
      result.add(
          EndpointBuilder.assignment(
              name, unusable ? List.of() : subsetEndpoints(s, p, dr, subset)));
    }
    return List.copyOf(result);
  }

  private static List<Endpoint> subsetEndpoints(
      MeshService s, ServicePort p, Optional<Config<DestinationRuleSpec>> dr, String subset) {
    List<Endpoint> all = s.endpoints(p.port());
    if (subset.isEmpty() || dr.isEmpty()) {
      return all;
    }
    var labels =
        dr.get().spec().subset(subset).map(DestinationRuleSpec.Subset::labels).orElse(Map.of());
    return all.stream().filter(e -> e.matches(labels)).toList();
  }

  /**
   * The clusters a gateway in AUTO_PASSTHROUGH mode picks by server name, {@code
   * outbound_.PORT_.SUBSET_.HOST}: the service's endpoints, the TLS left to the client.
   */
  private void sniClusters(ProxyScope scope, Map<String, Message> clusters) {
    for (MeshService s : scope.services()) {
      if (s.discovery() != MeshService.Discovery.EDS) {
        continue;
      }
      Optional<Config<DestinationRuleSpec>> dr = push.destinationRule(s.hostname(), scope.viewer);
      for (ServicePort p : s.ports()) {
        for (String subset : subsets(dr)) {
          String eds = ClusterNames.outbound(p.port(), subset, s.hostname());
          Cluster c =
              clusterBuilder.eds(eds, Protocol.TCP, false).toBuilder()
                  .setName(ClusterNames.sni(p.port(), subset, s.hostname()))
                  .build();
          clusters.put(c.getName(), c);
        }
      }
    }
  }
}
