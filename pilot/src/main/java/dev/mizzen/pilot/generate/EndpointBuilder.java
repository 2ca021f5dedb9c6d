package dev.mizzen.pilot.generate;

import com.google.protobuf.UInt32Value;
import dev.mizzen.pilot.push.Endpoint;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import java.util.List;

/** Builds ClusterLoadAssignments from a service's endpoints. */
final class EndpointBuilder {
  private EndpointBuilder() {}

  static ClusterLoadAssignment assignment(String clusterName, List<Endpoint> endpoints) {
    ClusterLoadAssignment.Builder cla = ClusterLoadAssignment.newBuilder().setClusterName(clusterName);
    if (endpoints.isEmpty()) {
      return cla.build();
    }
    LocalityLbEndpoints.Builder locality =
        LocalityLbEndpoints.newBuilder()
            // gRPC clients ignore a locality without weight; Istio weighs it by its endpoint count.
            .setLoadBalancingWeight(UInt32Value.of(endpoints.size()));
    for (Endpoint e : endpoints) {
      locality.addLbEndpoints(
          LbEndpoint.newBuilder()
              .setHealthStatus(HealthStatus.HEALTHY)
              .setEndpoint(
                  io.envoyproxy.envoy.config.endpoint.v3.Endpoint.newBuilder()
                      .setAddress(
                          Address.newBuilder()
                              .setSocketAddress(
                                  SocketAddress.newBuilder()
                                      .setAddress(e.ip())
                                      .setPortValue(e.port())))));
    }
    return cla.addEndpoints(locality).build();
  }

  /** The answer for a cluster Mizzen knows nothing of: no endpoints, so nothing waits for it. */
  static ClusterLoadAssignment empty(String clusterName) {
    return ClusterLoadAssignment.newBuilder().setClusterName(clusterName).build();
  }
}
