package dev.mizzen.bench;

import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The floor the benchmark compares Mizzen with: java-control-plane as its README shows it, a {@code
 * SimpleCache} holding one snapshot for every proxy, served by its V3DiscoveryServer. It serves the
 * resources Mizzen sent one proxy, read from a file of DiscoveryResponses.
 *
 * <p>Run as its own process: {@code BareControlPlane PORT FILE}; prints "ready" when serving.
 */
public final class BareControlPlane {
  private BareControlPlane() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    List<Cluster> clusters = new ArrayList<>();
    List<ClusterLoadAssignment> endpoints = new ArrayList<>();
    List<Listener> listeners = new ArrayList<>();
    List<RouteConfiguration> routes = new ArrayList<>();
    try (InputStream in = Files.newInputStream(Path.of(args[1]))) {
      DiscoveryResponse r;
      while ((r = DiscoveryResponse.parseDelimitedFrom(in)) != null) {
        for (var a : r.getResourcesList()) {
          switch (r.getTypeUrl()) {
            case ProxyStream.CDS -> clusters.add(a.unpack(Cluster.class));
            case ProxyStream.EDS -> endpoints.add(a.unpack(ClusterLoadAssignment.class));
            case ProxyStream.LDS -> listeners.add(a.unpack(Listener.class));
            case ProxyStream.RDS -> routes.add(a.unpack(RouteConfiguration.class));
            default -> {}
          }
        }
      }
    }
    SimpleCache<String> cache = new SimpleCache<>(node -> "all");
    cache.setSnapshot(
        "all", Snapshot.create(clusters, endpoints, listeners, routes, List.of(), "1"));
    V3DiscoveryServer discovery = new V3DiscoveryServer(cache);
    Server server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
            .addService(discovery.getAggregatedDiscoveryServiceImpl())
            .build()
            .start();
    System.out.println("ready");
    System.out.flush();
    server.awaitTermination();
  }
}
