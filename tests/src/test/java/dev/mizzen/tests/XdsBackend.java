package dev.mizzen.tests;

import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import io.grpc.xds.XdsServerBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A proxyless gRPC server that takes its listener, and with it its RBAC filters, from Mizzen
 * through grpc-java's own xDS server ({@code XdsServerBuilder}), bound to 127.0.0.1 and identifying
 * as Istio's agent would for pod {@code pod} with {@code labels}.
 */
final class XdsBackend implements AutoCloseable {
  private final Server server;
  private final int port;
  private volatile boolean serving;

  private XdsBackend(int port, Map<String, Object> bootstrap, String name) throws IOException {
    this.port = port;
    server =
        XdsServerBuilder.forAddress(
                new InetSocketAddress("127.0.0.1", port), InsecureServerCredentials.create())
            .overrideBootstrapForTest(bootstrap)
            .xdsServingStatusListener(
                new XdsServerBuilder.XdsServingStatusListener() {
                  @Override
                  public void onServing() {
                    serving = true;
                  }

                  @Override
                  public void onNotServing(Throwable t) {
                    serving = false;
                  }
                })
            .addService(
                new SimpleServiceGrpc.SimpleServiceImplBase() {
                  @Override
                  public void unaryRpc(
                      SimpleRequest request, StreamObserver<SimpleResponse> response) {
                    response.onNext(SimpleResponse.newBuilder().setResponseMessage(name).build());
                    response.onCompleted();
                  }
                })
            .build()
            .start();
  }

  /**
   * @param port a free port (see {@link #freePort}) the Service in Mizzen's config targets
   */
  static XdsBackend start(
      int xdsPort, int port, String pod, String namespace, Map<String, String> labels)
      throws IOException {
    // A proxyless gRPC server's bootstrap: a client's, plus where its listener is named.
    Map<String, Object> bootstrap =
        new HashMap<>(XdsClients.bootstrap(xdsPort, pod, namespace, labels));
    bootstrap.put("server_listener_resource_name_template", "xds.istio.io/grpc/lds/inbound/%s");
    return new XdsBackend(port, bootstrap, pod);
  }

  /** A port nothing listens on now, for a server to be configured for before it starts. */
  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  int port() {
    return port;
  }

  /** Whether the server holds a listener from Mizzen and accepts calls. */
  boolean serving() {
    return serving;
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow();
    server.awaitTermination(5, TimeUnit.SECONDS);
  }
}
