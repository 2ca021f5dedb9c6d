package dev.mizzen.tests;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.mizzen.testing.xds.AdsTestStream;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * An Envoy-shaped ADS stream that asks for every cluster and acknowledges what it gets, keeping the
 * names of each CDS response it was sent: what a sidecar would have been told, in order.
 */
final class CdsWatcher implements AutoCloseable {
  static final String CDS = "type.googleapis.com/envoy.config.cluster.v3.Cluster";

  private final ManagedChannel channel;
  private final StreamObserver<DiscoveryRequest> requests;
  final List<Set<String>> pushes = new CopyOnWriteArrayList<>();
  final CompletableFuture<Status> closed = new CompletableFuture<>();

  CdsWatcher(ManagedChannel channel, String pod, String namespace) {
    this.channel = channel;
    requests =
        AggregatedDiscoveryServiceGrpc.newStub(channel)
            .streamAggregatedResources(
                new StreamObserver<>() {
                  @Override
                  public void onNext(DiscoveryResponse r) {
                    Set<String> names = new TreeSet<>();
                    for (var any : r.getResourcesList()) {
                      try {
                        names.add(any.unpack(Cluster.class).getName());
                      } catch (InvalidProtocolBufferException e) {
                        names.add("unreadable");
                      }
                    }
                    pushes.add(names);
                    send(
                        DiscoveryRequest.newBuilder()
                            .setTypeUrl(CDS)
                            .setVersionInfo(r.getVersionInfo())
                            .setResponseNonce(r.getNonce())
                            .build());
                  }

                  @Override
                  public void onError(Throwable t) {
                    closed.complete(Status.fromThrowable(t));
                  }

                  @Override
                  public void onCompleted() {
                    closed.complete(Status.OK);
                  }
                });
    Node node = AdsTestStream.sidecar(pod, namespace);
    send(DiscoveryRequest.newBuilder().setNode(node).setTypeUrl(CDS).build());
  }

  private synchronized void send(DiscoveryRequest r) {
    if (!closed.isDone()) {
      requests.onNext(r);
    }
  }

  /** The clusters of the last push, empty before the first. */
  Set<String> clusters() {
    return pushes.isEmpty() ? Set.of() : pushes.get(pushes.size() - 1);
  }

  Status awaitClose() throws Exception {
    return closed.get(20, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    try {
      synchronized (this) {
        requests.onCompleted();
      }
    } catch (RuntimeException ignored) {
      // closed by the server already
    }
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
