package dev.mizzen.pilot.generate;

import com.google.protobuf.Message;
import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.DestinationRuleSpec;
import dev.mizzen.ingest.model.DestinationRuleSpec.TrafficPolicy;
import dev.mizzen.ingest.model.Protocol;
import dev.mizzen.ingest.model.ServiceSpec.ServicePort;
import dev.mizzen.pilot.proxy.Proxy;
import dev.mizzen.pilot.push.MeshService;
import dev.mizzen.pilot.push.PushContext;
import dev.mizzen.pilot.push.TracingCollector;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The clusters of a group of proxies, and with them the load assignments of those discovered by EDS
 * (an assignment is named by its cluster, so both come from one walk). A service port's clusters
 * are built once per push and shared by every group that sees the port under the same
 * DestinationRule. Thread-safe: groups may be generated in parallel.
 */
final class ClusterGenerator {
  private final PushContext push;
  private final ClusterBuilder clusterBuilder;
  private final InboundBuilder inboundBuilder;
  private final UpstreamTls upstreamTls;
  private final EndpointGenerator endpoints;
  private final ConcurrentMap<ClusterKey, List<Cluster>> memo = new ConcurrentHashMap<>();

  ClusterGenerator(PushContext push, InboundBuilder inboundBuilder) {
    this.push = push;
    this.clusterBuilder = new ClusterBuilder(push.mesh());
    this.inboundBuilder = inboundBuilder;
    this.upstreamTls = new UpstreamTls(push);
    this.endpoints = new EndpointGenerator(upstreamTls);
  }

  /**
   * The clusters and endpoints of the services in scope, the fixed clusters, the inbound ones, the
   * tracing collector's, and an empty one for every destination routes may name that no service
   * provides (Istio sends such routes anyway and the requests fail; Mizzen also sends the clusters,
   * so that every route a proxy holds points at a cluster it holds).
   *
   * @return the destinations no service provides; empty for routers, whose Gateways decide
   */
  Optional<Set<String>> generate(
      ProxyScope scope, Map<String, Message> clusters, Map<String, Message> endpoints) {
    boolean grpc = scope.key.generator() == Proxy.Generator.GRPC;
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

  /**
   * The clusters and endpoints of only the services of {@code hosts} that are in scope (the tracing
   * collector's among them), for a push that changed nothing but their endpoints: every other
   * cluster, and the set of names, is what it was.
   */
  void generateFor(
      ProxyScope scope,
      Set<String> hosts,
      Map<String, Message> clusters,
      Map<String, Message> endpoints) {
    boolean grpc = scope.key.generator() == Proxy.Generator.GRPC;
    for (String host : hosts) {
      MeshService s = push.service(host).orElse(null);
      if (s == null
          || !scope.inScope(s)
          || (grpc && s.discovery() == MeshService.Discovery.PASSTHROUGH)) {
        continue;
      }
      for (ServicePort p : s.ports()) {
        if (scope.allows(s, p.port())) {
          serviceClusters(s, p, scope.viewer, grpc, clusters, endpoints);
        }
      }
    }
    Optional<TracingCollector> tracing = push.tracing();
    if (!grpc && tracing.isPresent() && hosts.contains(tracing.get().service().hostname())) {
      TracingCollector t = tracing.get();
      t.service()
          .port(t.port())
          .ifPresent(
              p -> serviceClusters(t.service(), p, scope.viewer, false, clusters, endpoints));
    }
  }

  private void serviceClusters(
      MeshService s,
      ServicePort p,
      String viewer,
      boolean grpc,
      Map<String, Message> clusters,
      Map<String, Message> endpoints) {
    Optional<Config<DestinationRuleSpec>> dr = push.destinationRule(s.hostname(), viewer);
    List<ClusterLoadAssignment> assignments = this.endpoints.assignments(s, p, dr, grpc);
    List<Cluster> built =
        memo.computeIfAbsent(
            new ClusterKey(s.hostname(), p.port(), Identity.of(dr), grpc),
            k -> build(s, p, dr, grpc));
    for (int i = 0; i < built.size(); i++) {
      Cluster c = built.get(i);
      clusters.put(c.getName(), c);
      if (c.getType() == Cluster.DiscoveryType.EDS) {
        endpoints.put(c.getName(), assignments.get(i));
      }
    }
  }

  /**
   * What a service port's clusters are built from that can differ between groups: two groups with
   * equal keys share the clusters. The service and its port are one per host and number in a push.
   *
   * @param host the service's host name
   * @param port the service port
   * @param destinationRule the DestinationRule the group sees for the host, the same instance (see
   *     {@link Identity}), or none
   * @param grpc whether the clusters are for proxyless gRPC clients, which are sent fewer fields
   */
  private record ClusterKey(
      String host, int port, Identity<Config<DestinationRuleSpec>> destinationRule, boolean grpc) {}

  private List<Cluster> build(
      MeshService s, ServicePort p, Optional<Config<DestinationRuleSpec>> dr, boolean grpc) {
    List<Cluster> result = new ArrayList<>();
    for (String subset : EndpointGenerator.subsets(dr)) {
      TrafficPolicy policy = EffectivePolicy.of(dr, subset, p.port());
      UpstreamTls.Decision tls = upstreamTls.decide(s, p, subset, policy.tls(), grpc);
      if (tls.unusable()) {
        // Nothing to call: an EDS cluster whose endpoints are sent empty (see EndpointGenerator).
        result.add(
            clusterBuilder.eds(
                ClusterNames.outbound(p.port(), subset, s.hostname()), p.protocol(), grpc));
        continue;
      }
      result.add(
          clusterBuilder.service(
              s,
              p,
              subset,
              policy,
              tls.socket(),
              EndpointGenerator.subsetEndpoints(s, p, dr, subset),
              grpc));
    }
    return List.copyOf(result);
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
        for (String subset : EndpointGenerator.subsets(dr)) {
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
