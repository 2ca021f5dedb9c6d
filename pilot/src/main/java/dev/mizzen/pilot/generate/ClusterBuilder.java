package dev.mizzen.pilot.generate;

import dev.mizzen.ingest.model.Protocol;
import dev.mizzen.pilot.push.MeshSettings;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;

/** Builds the clusters of outbound traffic, named and shaped as Istio's. */
final class ClusterBuilder {
  static final String HTTP_PROTOCOL_OPTIONS = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";

  private final MeshSettings mesh;

  ClusterBuilder(MeshSettings mesh) {
    this.mesh = mesh;
  }

  /**
   * An EDS cluster whose endpoints come over ADS under the cluster's own name.
   *
   * @param protocol the service port's protocol; HTTP/2 and gRPC ports make Envoy speak HTTP/2
   * @param forGrpc whether the cluster is for a proxyless gRPC client, which picks with round
   *     robin and sets its own protocol
   */
  Cluster eds(String name, Protocol protocol, boolean forGrpc) {
    Cluster.Builder c =
        Cluster.newBuilder()
            .setName(name)
            .setType(Cluster.DiscoveryType.EDS)
            .setEdsClusterConfig(
                Cluster.EdsClusterConfig.newBuilder()
                    .setEdsConfig(Protos.ADS)
                    .setServiceName(name))
            .setConnectTimeout(Protos.duration(mesh.connectTimeout()))
            .setLbPolicy(forGrpc ? Cluster.LbPolicy.ROUND_ROBIN : Cluster.LbPolicy.LEAST_REQUEST);
    if (!forGrpc && protocol.isHttp2()) {
      c.putTypedExtensionProtocolOptions(
          HTTP_PROTOCOL_OPTIONS,
          Protos.any(
              HttpProtocolOptions.newBuilder()
                  .setExplicitHttpConfig(
                      HttpProtocolOptions.ExplicitHttpConfig.newBuilder()
                          .setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance()))
                  .build()));
    }
    return c.build();
  }

  /** The cluster, speaking HTTP/2 upstream when the port's protocol says so. */
  Cluster withHttp2(Cluster cluster, Protocol protocol) {
    if (!protocol.isHttp2()) {
      return cluster;
    }
    return cluster.toBuilder()
        .putTypedExtensionProtocolOptions(
            HTTP_PROTOCOL_OPTIONS,
            Protos.any(
                HttpProtocolOptions.newBuilder()
                    .setExplicitHttpConfig(
                        HttpProtocolOptions.ExplicitHttpConfig.newBuilder()
                            .setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance()))
                    .build()))
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
    return Cluster.newBuilder()
        .setName(ClusterNames.PASSTHROUGH)
        .setType(Cluster.DiscoveryType.ORIGINAL_DST)
        .setLbPolicy(Cluster.LbPolicy.CLUSTER_PROVIDED)
        .setConnectTimeout(Protos.duration(mesh.connectTimeout()))
        .build();
  }
}
