package dev.mizzen.tests;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.NameResolverRegistry;
import io.grpc.xds.XdsNameResolverProvider;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** Channels through grpc-java's own xDS client, bootstrapped at a Mizzen on 127.0.0.1. */
final class XdsClients {
  private static final AtomicInteger SCHEMES = new AtomicInteger();

  private XdsClients() {}

  /**
   * The bootstrap of a proxyless gRPC client that identifies as Istio's agent would. The node has a
   * locality, empty here, as Istio's agent writes one: grpc-js-xds refuses a bootstrap whose node
   * has none ("locality field missing in node element").
   */
  static Map<String, Object> bootstrap(
      int xdsPort, String pod, String namespace, Map<String, String> labels) {
    return Map.of(
        "xds_servers",
        List.of(
            Map.of(
                "server_uri", "127.0.0.1:" + xdsPort,
                "channel_creds", List.of(Map.of("type", "insecure")),
                "server_features", List.of("xds_v3"))),
        "node",
        Map.of(
            "id",
                "sidecar~127.0.0.1~"
                    + pod
                    + "."
                    + namespace
                    + "~"
                    + namespace
                    + ".svc.cluster.local",
            "locality", Map.of(),
            "metadata",
                Map.of(
                    "GENERATOR", "grpc",
                    "NAMESPACE", namespace,
                    "CLUSTER_ID", "Kubernetes",
                    "ISTIO_VERSION", "1.20.0",
                    "LABELS", labels)));
  }

  /**
   * A channel to {@code xds:///target}, under a scheme of its own so that every channel has its own
   * xDS client and bootstrap.
   */
  static ManagedChannel channel(String target, Map<String, Object> bootstrap) {
    String scheme = "xds-mizzen-" + SCHEMES.incrementAndGet();
    NameResolverRegistry.getDefaultRegistry()
        .register(XdsNameResolverProvider.createForTest(scheme, bootstrap));
    return Grpc.newChannelBuilder(scheme + ":///" + target, InsecureChannelCredentials.create())
        .build();
  }
}
