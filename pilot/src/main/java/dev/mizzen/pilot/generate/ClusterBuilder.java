package dev.mizzen.pilot.generate;

import com.google.protobuf.Any;
import dev.mizzen.ingest.model.DestinationRuleSpec.TrafficPolicy;
import dev.mizzen.ingest.model.Protocol;
import dev.mizzen.ingest.model.ServiceSpec.ServicePort;
import dev.mizzen.pilot.push.Endpoint;
import dev.mizzen.pilot.push.MeshService;
import dev.mizzen.pilot.push.MeshSettings;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.util.List;
import java.util.Optional;

/** Builds the clusters of outbound traffic, named and shaped as Istio's. */
final class ClusterBuilder {
  static final String HTTP_PROTOCOL_OPTIONS =
      "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";

  private final MeshSettings mesh;

  ClusterBuilder(MeshSettings mesh) {
    this.mesh = mesh;
  }

  /**
   * The cluster of one port (and subset) of a service, found as the service says (EDS, DNS, or the
   * original destination), with the traffic policy in force and the TLS decided.
   *
   * @param endpoints the subset's endpoints, for clusters whose proxy resolves them by DNS
   */
  Cluster service(
      MeshService s,
      ServicePort p,
      String subset,
      TrafficPolicy policy,
      Optional<TransportSocket> tls,
      List<Endpoint> endpoints,
      boolean forGrpc) {
    String name = ClusterNames.outbound(p.port(), subset, s.hostname());
    Cluster.Builder c;
    switch (s.discovery()) {
      case DNS, DNS_ROUND_ROBIN -> {
        // grpc-java resolves one name only (LOGICAL_DNS).
        boolean logical = forGrpc || s.discovery() == MeshService.Discovery.DNS_ROUND_ROBIN;
        List<Endpoint> resolved =
            logical && endpoints.size() > 1 ? endpoints.subList(0, 1) : endpoints;
        c =
            base(name, forGrpc)
                .setType(
                    logical ? Cluster.DiscoveryType.LOGICAL_DNS : Cluster.DiscoveryType.STRICT_DNS)
                .setDnsLookupFamily(Cluster.DnsLookupFamily.V4_ONLY)
                .setRespectDnsTtl(true)
                .setLoadAssignment(EndpointBuilder.assignment(name, resolved));
      }
      case PASSTHROUGH -> c = originalDestination(name);
      default -> c = edsBuilder(name, forGrpc);
    }
    if (!forGrpc && p.protocol().isHttp2()) {
      c.putTypedExtensionProtocolOptions(HTTP_PROTOCOL_OPTIONS, http2Options());
    }
    ClusterPolicies.apply(c, policy, p.protocol(), forGrpc);
    tls.ifPresent(c::setTransportSocket);
    return c.build();
  }

  /**
   * An EDS cluster whose endpoints come over ADS under the cluster's own name.
   *
   * @param protocol the service port's protocol; HTTP/2 and gRPC ports make Envoy speak HTTP/2
   * @param forGrpc whether the cluster is for a proxyless gRPC client, which picks with round robin
   *     and sets its own protocol
   */
  Cluster eds(String name, Protocol protocol, boolean forGrpc) {
    Cluster.Builder c = edsBuilder(name, forGrpc);
    if (!forGrpc && protocol.isHttp2()) {
      c.putTypedExtensionProtocolOptions(HTTP_PROTOCOL_OPTIONS, http2Options());
    }
    return c.build();
  }

  private Cluster.Builder edsBuilder(String name, boolean forGrpc) {
    return base(name, forGrpc)
        .setType(Cluster.DiscoveryType.EDS)
        .setEdsClusterConfig(
            Cluster.EdsClusterConfig.newBuilder().setEdsConfig(Protos.ADS).setServiceName(name));
  }

  private Cluster.Builder base(String name, boolean forGrpc) {
    return Cluster.newBuilder()
        .setName(name)
        .setConnectTimeout(Protos.duration(mesh.connectTimeout()))
        .setLbPolicy(forGrpc ? Cluster.LbPolicy.ROUND_ROBIN : Cluster.LbPolicy.LEAST_REQUEST);
  }

  private Cluster.Builder originalDestination(String name) {
    return Cluster.newBuilder()
        .setName(name)
        .setType(Cluster.DiscoveryType.ORIGINAL_DST)
        .setLbPolicy(Cluster.LbPolicy.CLUSTER_PROVIDED)
        .setConnectTimeout(Protos.duration(mesh.connectTimeout()));
  }

  private static Any http2Options() {
    return Protos.any(
        HttpProtocolOptions.newBuilder()
            .setExplicitHttpConfig(
                HttpProtocolOptions.ExplicitHttpConfig.newBuilder()
                    .setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance()))
            .build());
  }

  /** The cluster, speaking HTTP/2 upstream when the port's protocol says so. */
  Cluster withHttp2(Cluster cluster, Protocol protocol) {
    if (!protocol.isHttp2()) {
      return cluster;
    }
    return cluster.toBuilder()
        .putTypedExtensionProtocolOptions(HTTP_PROTOCOL_OPTIONS, http2Options())
        .build();
  }

  /** Where traffic that must go nowhere goes. */
  Cluster blackHole() {
    return Cluster.newBuilder()
        .setName(ClusterNames.BLACK_HOLE)
        .setType(Cluster.DiscoveryType.STATIC)
        .setConnectTimeout(Protos.duration(mesh.connectTimeout()))
        .build();
  }

  /** Sends traffic on to its original destination, for hosts the mesh does not know. */
  Cluster passthrough() {
    return originalDestination(ClusterNames.PASSTHROUGH).build();
  }
}
