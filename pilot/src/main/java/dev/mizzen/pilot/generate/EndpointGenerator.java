package dev.mizzen.pilot.generate;

import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.DestinationRuleSpec;
import dev.mizzen.ingest.model.DestinationRuleSpec.TrafficPolicy;
import dev.mizzen.ingest.model.ServiceSpec.ServicePort;
import dev.mizzen.pilot.push.Endpoint;
import dev.mizzen.pilot.push.MeshService;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The load assignments of a service port, one per subset its DestinationRule defines (the whole
 * service first), in the order of {@link ClusterGenerator}'s clusters. Built once per push and
 * shared by every group that sees the port under the same rule. Thread-safe.
 */
final class EndpointGenerator {
  private final UpstreamTls upstreamTls;
  private final ConcurrentMap<EndpointKey, List<ClusterLoadAssignment>> memo =
      new ConcurrentHashMap<>();

  EndpointGenerator(UpstreamTls upstreamTls) {
    this.upstreamTls = upstreamTls;
  }

  /** One assignment per name of {@link #subsets}, built at the first call of this push. */
  List<ClusterLoadAssignment> assignments(
      MeshService s, ServicePort p, Optional<Config<DestinationRuleSpec>> dr, boolean grpc) {
    return memo.computeIfAbsent(
        new EndpointKey(s.hostname(), p.port(), Identity.of(dr), grpc), k -> build(s, p, dr, grpc));
  }

  /**
   * What a service port's load assignments are built from that can differ between groups: two
   * groups with equal keys share them. The service and its port are one per host and number in a
   * push.
   *
   * @param host the service's host name
   * @param port the service port
   * @param destinationRule the DestinationRule the group sees for the host (its subsets and TLS),
   *     the same instance (see {@link Identity}), or none
   * @param grpc whether the assignments are for proxyless gRPC clients, which may be unable to
   *     originate the TLS a rule asks for and are then given no endpoints
   */
  private record EndpointKey(
      String host, int port, Identity<Config<DestinationRuleSpec>> destinationRule, boolean grpc) {}

  private List<ClusterLoadAssignment> build(
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

  /** The subsets of a service's clusters: the whole service ({@code ""}), then the rule's. */
  static List<String> subsets(Optional<Config<DestinationRuleSpec>> dr) {
    List<String> out = new ArrayList<>();
    out.add("");
    dr.ifPresent(d -> d.spec().subsets().forEach(s -> out.add(s.name())));
    return out;
  }

  /** The endpoints of a port that a subset's labels select (all of them for the whole service). */
  static List<Endpoint> subsetEndpoints(
      MeshService s, ServicePort p, Optional<Config<DestinationRuleSpec>> dr, String subset) {
    List<Endpoint> all = s.endpoints(p.port());
    if (subset.isEmpty() || dr.isEmpty()) {
      return all;
    }
    var labels =
        dr.get().spec().subset(subset).map(DestinationRuleSpec.Subset::labels).orElse(Map.of());
    return all.stream().filter(e -> e.matches(labels)).toList();
  }
}
