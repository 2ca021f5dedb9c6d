package dev.mizzen.pilot.generate;

import com.google.protobuf.UInt32Value;
import dev.mizzen.pilot.push.Endpoint;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Builds ClusterLoadAssignments from a service's endpoints, grouped by locality. */
final class EndpointBuilder {
  private EndpointBuilder() {}

  static ClusterLoadAssignment assignment(String clusterName, List<Endpoint> endpoints) {
    ClusterLoadAssignment.Builder cla =
        ClusterLoadAssignment.newBuilder().setClusterName(clusterName);
    Map<String, List<Endpoint>> byLocality = new TreeMap<>();
    for (Endpoint e : endpoints) {
      byLocality.computeIfAbsent(e.locality(), l -> new ArrayList<>()).add(e);
    }
    for (Map.Entry<String, List<Endpoint>> group : byLocality.entrySet()) {
      // Istio always writes a locality, an empty one when the endpoints have none; grpc-js-xds
      // rejects an assignment without it ("endpoints[0].locality unset").
      LocalityLbEndpoints.Builder locality =
          LocalityLbEndpoints.newBuilder().setLocality(Locality.getDefaultInstance());
      if (!group.getKey().isEmpty()) {
        String[] parts = group.getKey().split("/", -1);
        Locality.Builder l = Locality.newBuilder().setRegion(parts[0]);
        if (parts.length > 1) {
          l.setZone(parts[1]);
        }
        if (parts.length > 2) {
          l.setSubZone(parts[2]);
        }
        locality.setLocality(l);
      }
      int total = 0;
      for (Endpoint e : group.getValue()) {
        LbEndpoint.Builder lb =
            LbEndpoint.newBuilder()
                .setHealthStatus(HealthStatus.HEALTHY)
                .setEndpoint(
                    io.envoyproxy.envoy.config.endpoint.v3.Endpoint.newBuilder()
                        .setAddress(
                            Address.newBuilder()
                                .setSocketAddress(
                                    SocketAddress.newBuilder()
                                        .setAddress(e.ip())
                                        .setPortValue(e.port()))));
        if (e.weight() > 0) {
          lb.setLoadBalancingWeight(UInt32Value.of(e.weight()));
        }
        total += e.weight() > 0 ? e.weight() : 1;
        locality.addLbEndpoints(lb);
      }
      // gRPC clients ignore a locality without weight; Istio weighs it by its endpoints' weights.
      cla.addEndpoints(locality.setLoadBalancingWeight(UInt32Value.of(total)));
    }
    return cla.build();
  }

  /** The answer for a cluster Mizzen knows nothing of: no endpoints, so nothing waits for it. */
  static ClusterLoadAssignment empty(String clusterName) {
    return ClusterLoadAssignment.newBuilder().setClusterName(clusterName).build();
  }
}
