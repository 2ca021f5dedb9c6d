package dev.mizzen.pilot.generate;

import com.google.protobuf.Message;
import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.DestinationRuleSpec;
import dev.mizzen.ingest.model.Protocol;
import dev.mizzen.ingest.model.ServiceSpec.ServicePort;
import dev.mizzen.pilot.proxy.Proxy;
import dev.mizzen.pilot.push.MeshService;
import dev.mizzen.pilot.push.PushContext;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Produces every resource of one push for each group of proxies. Parts that do not depend on the
 * group (a service's clusters and endpoints under one DestinationRule) are built once per push and
 * shared by every group that sees them. Thread-safe: groups may be generated in parallel.
 */
public final class ConfigGenerator {

  private final PushContext push;
  private final ClusterBuilder clusterBuilder;
  private final InboundBuilder inboundBuilder;
  private final OutboundTls outboundTls;
  private final ConcurrentMap<List<Object>, List<Cluster>> clusterMemo = new ConcurrentHashMap<>();
  private final ConcurrentMap<List<Object>, List<ClusterLoadAssignment>> endpointMemo =
      new ConcurrentHashMap<>();

  public ConfigGenerator(PushContext push) {
    this.push = push;
    this.clusterBuilder = new ClusterBuilder(push.mesh());
    this.inboundBuilder = new InboundBuilder(push.mesh());
    this.outboundTls = new OutboundTls(push);
  }

  public PushContext push() {
    return push;
  }

  /** Everything a proxy of this shape is served; consistent by construction, checked on publish. */
  public ProxyResources generate(GroupKey key) {
    return key.generator() == Proxy.Generator.GRPC ? grpc(key) : envoy(key);
  }

  private ProxyResources envoy(GroupKey key) {
    String viewer = key.namespace();
    SortedMap<String, Message> clusters = new TreeMap<>();
    SortedMap<String, Message> endpoints = new TreeMap<>();
    SortedMap<String, Message> listeners = new TreeMap<>();
    SortedMap<String, Message> routes = new TreeMap<>();
    Set<String> referenced = new TreeSet<>();
    serviceClusters(viewer, false, clusters, endpoints);
    clusters.put(ClusterNames.BLACK_HOLE, clusterBuilder.blackHole());
    clusters.put(ClusterNames.PASSTHROUGH, clusterBuilder.passthrough());

    if (key.type() == Proxy.Type.SIDECAR) {
      RouteBuilder rb = new RouteBuilder(push, viewer);
      Map<Integer, RouteConfiguration.Builder> byPort = new TreeMap<>();
      for (MeshService s : push.services()) {
        for (ServicePort p : s.ports()) {
          if (p.protocol().isHttp()) {
            byPort
                .computeIfAbsent(p.port(), n -> RouteConfiguration.newBuilder().setName(String.valueOf(n)).setValidateClusters(com.google.protobuf.BoolValue.of(false)))
                .addVirtualHosts(
                    rb.virtualHost(s, p.port(), RouteBuilder.domains(s, p.port(), viewer, false), referenced));
          } else if (p.protocol() != Protocol.UDP && s.spec().hasClusterIp()) {
            String cluster = ClusterNames.outbound(p.port(), "", s.hostname());
            var l = ListenerBuilder.tcpOutbound(s.spec().clusterIp(), p.port(), cluster);
            listeners.put(l.getName(), l);
          }
        }
      }
      boolean allowAny = push.mesh().allowAnyOutbound();
      for (Map.Entry<Integer, RouteConfiguration.Builder> e : byPort.entrySet()) {
        if (allowAny) {
          e.getValue().addVirtualHosts(passthroughHost());
        }
        routes.put(String.valueOf(e.getKey()), e.getValue().build());
        var l = ListenerBuilder.httpOutbound(e.getKey());
        listeners.put(l.getName(), l);
      }
      var vo = ListenerBuilder.virtualOutbound(allowAny ? ClusterNames.PASSTHROUGH : ClusterNames.BLACK_HOLE);
      listeners.put(vo.getName(), vo);
      var authz = push.authz().workload(key.workload());
      var vi = inboundBuilder.virtualInbound(key.inbound(), authz);
      listeners.put(vi.getName(), vi);
      for (Cluster c : inboundBuilder.clusters(key.inbound(), clusterBuilder)) {
        clusters.put(c.getName(), c);
      }
    }
    addMissing(referenced, false, clusters, endpoints);
    return new ProxyResources(
        Map.of(
            TypeUrls.CLUSTER, clusters,
            TypeUrls.ENDPOINT, endpoints,
            TypeUrls.LISTENER, listeners,
            TypeUrls.ROUTE, routes),
        Map.of());
  }

  private ProxyResources grpc(GroupKey key) {
    String viewer = key.namespace();
    SortedMap<String, Message> clusters = new TreeMap<>();
    SortedMap<String, Message> endpoints = new TreeMap<>();
    SortedMap<String, Message> listeners = new TreeMap<>();
    SortedMap<String, Message> routes = new TreeMap<>();
    Map<String, String> aliases = new HashMap<>();
    Set<String> referenced = new TreeSet<>();
    serviceClusters(viewer, true, clusters, endpoints);
    RouteBuilder rb = new RouteBuilder(push, viewer);
    for (MeshService s : push.services()) {
      for (ServicePort p : s.ports()) {
        String canonical = s.hostname() + ":" + p.port();
        String routeName = ClusterNames.outbound(p.port(), "", s.hostname());
        listeners.put(canonical, ListenerBuilder.grpcClient(canonical, routeName));
        VirtualHost vh = rb.virtualHost(s, p.port(), RouteBuilder.domains(s, p.port(), viewer, true), referenced);
        routes.put(routeName, RouteConfiguration.newBuilder().setName(routeName).addVirtualHosts(vh).build());
        for (String name : clientNames(s, viewer)) {
          aliases.put(name + ":" + p.port(), canonical);
          if (s.ports().size() == 1) {
            aliases.putIfAbsent(name, canonical);
          }
        }
      }
    }
    if (!key.inbound().isEmpty()) {
      var authz = push.authz().workload(key.workload());
      for (InboundPort p : key.inbound()) {
        var l = inboundBuilder.grpcServer(p, authz);
        listeners.put(l.getName(), l);
      }
    }
    addMissing(referenced, true, clusters, endpoints);
    return new ProxyResources(
        Map.of(
            TypeUrls.CLUSTER, clusters,
            TypeUrls.ENDPOINT, endpoints,
            TypeUrls.LISTENER, listeners,
            TypeUrls.ROUTE, routes),
        aliases);
  }

  /** Names a client in {@code viewer} may use for a service: short only in its own namespace. */
  private static Set<String> clientNames(MeshService s, String viewer) {
    Set<String> names = new LinkedHashSet<>();
    if (s.namespace().equals(viewer)) {
      names.add(s.name());
    }
    names.add(s.name() + "." + s.namespace());
    names.add(s.name() + "." + s.namespace() + ".svc");
    names.add(s.hostname());
    if (s.spec().hasClusterIp()) {
      names.add(s.spec().clusterIp());
    }
    return names;
  }

  private static VirtualHost passthroughHost() {
    return VirtualHost.newBuilder()
        .setName("allow_any")
        .addDomains("*")
        .addRoutes(
            Route.newBuilder()
                .setName("allow_any")
                .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                .setRoute(
                    RouteAction.newBuilder()
                        .setCluster(ClusterNames.PASSTHROUGH)
                        .setTimeout(com.google.protobuf.Duration.getDefaultInstance())))
        .build();
  }

  private void serviceClusters(
      String viewer, boolean forGrpc, Map<String, Message> clusters, Map<String, Message> endpoints) {
    for (MeshService s : push.services()) {
      Optional<Config<DestinationRuleSpec>> dr = push.destinationRule(s.hostname(), viewer);
      for (ServicePort p : s.ports()) {
        List<Object> key = List.of(s.hostname(), p.port(), dr.map(Config::ref).map(Object.class::cast).orElse(""));
        for (Cluster c : clusterMemo.computeIfAbsent(append(key, forGrpc), k -> buildClusters(s, p, dr, forGrpc))) {
          clusters.put(c.getName(), c);
        }
        for (ClusterLoadAssignment cla : endpointMemo.computeIfAbsent(key, k -> buildEndpoints(s, p, dr))) {
          endpoints.put(cla.getClusterName(), cla);
        }
      }
    }
  }

  private static List<Object> append(List<Object> key, Object more) {
    return List.of(key.get(0), key.get(1), key.get(2), more);
  }

  private List<Cluster> buildClusters(
      MeshService s, ServicePort p, Optional<Config<DestinationRuleSpec>> dr, boolean forGrpc) {
    List<Cluster> result = new java.util.ArrayList<>();
    result.add(mutualTls(clusterBuilder.eds(ClusterNames.outbound(p.port(), "", s.hostname()), p.protocol(), forGrpc), s, p, "", forGrpc));
    if (dr.isPresent()) {
      for (DestinationRuleSpec.Subset subset : dr.get().spec().subsets()) {
        result.add(
            mutualTls(
                clusterBuilder.eds(ClusterNames.outbound(p.port(), subset.name(), s.hostname()), p.protocol(), forGrpc),
                s,
                p,
                subset.name(),
                forGrpc));
      }
    }
    return List.copyOf(result);
  }

  /**
   * Istio mutual TLS to workloads that accept it, for Envoy. gRPC clients are left in plain text:
   * grpc-java refuses SDS secrets, and certificate providers are not configured by Mizzen yet.
   */
  private Cluster mutualTls(Cluster c, MeshService s, ServicePort p, String subset, boolean forGrpc) {
    if (forGrpc) {
      return c;
    }
    return outboundTls.forCluster(s, p, subset).map(t -> c.toBuilder().setTransportSocket(t).build()).orElse(c);
  }

  private static List<ClusterLoadAssignment> buildEndpoints(
      MeshService s, ServicePort p, Optional<Config<DestinationRuleSpec>> dr) {
    List<ClusterLoadAssignment> result = new java.util.ArrayList<>();
    var all = s.endpoints(p.port());
    result.add(EndpointBuilder.assignment(ClusterNames.outbound(p.port(), "", s.hostname()), all));
    if (dr.isPresent()) {
      for (DestinationRuleSpec.Subset subset : dr.get().spec().subsets()) {
        result.add(
            EndpointBuilder.assignment(
                ClusterNames.outbound(p.port(), subset.name(), s.hostname()),
                all.stream().filter(e -> e.matches(subset.labels())).toList()));
      }
    }
    return List.copyOf(result);
  }

  /**
   * Routes may name clusters no service provides (a subset no DestinationRule defines, a host the
   * mesh lacks). Istio sends such routes anyway and the requests fail; Mizzen also sends the
   * clusters, empty, so that every route a proxy holds points at a cluster it holds.
   */
  private void addMissing(
      Set<String> referenced, boolean forGrpc, Map<String, Message> clusters, Map<String, Message> endpoints) {
    for (String name : referenced) {
      if (!clusters.containsKey(name)) {
        clusters.put(name, clusterBuilder.eds(name, Protocol.UNSPECIFIED, forGrpc));
        endpoints.put(name, EndpointBuilder.empty(name));
      }
    }
  }
}
