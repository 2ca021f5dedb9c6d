package dev.mizzen.testing.xds;

import com.google.protobuf.Any;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.mizzen.envoyrules.EnvoyRules;
import dev.mizzen.envoyrules.RuleViolation;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** A raw ADS stream, driven by hand the way a test needs to. */
public final class AdsTestStream implements AutoCloseable {
  private final ManagedChannel channel;
  private final StreamObserver<DiscoveryRequest> requests;
  private final BlockingQueue<DiscoveryResponse> responses = new LinkedBlockingQueue<>();
  private final CompletableFuture<Status> closed = new CompletableFuture<>();

  public AdsTestStream(int port) {
    this(NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build());
  }

  /** A stream whose HTTP/2 window is {@code flowControlWindow} bytes. */
  public AdsTestStream(int port, int flowControlWindow) {
    this(
        NettyChannelBuilder.forAddress("127.0.0.1", port)
            .usePlaintext()
            .flowControlWindow(flowControlWindow)
            .build());
  }

  /** A stream over {@code channel} (TLS, credentials: whatever the test set up); closes it. */
  public AdsTestStream(ManagedChannel channel) {
    this.channel = channel;
    requests =
        AggregatedDiscoveryServiceGrpc.newStub(channel)
            .streamAggregatedResources(
                new StreamObserver<>() {
                  @Override
                  public void onNext(DiscoveryResponse r) {
                    responses.add(r);
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
  }

  public static Node node(String id, String namespace, boolean grpc) {
    Struct.Builder md =
        Struct.newBuilder()
            .putFields("NAMESPACE", Value.newBuilder().setStringValue(namespace).build());
    if (grpc) {
      md.putFields("GENERATOR", Value.newBuilder().setStringValue("grpc").build());
    }
    return Node.newBuilder().setId(id).setMetadata(md).build();
  }

  public static Node sidecar(String pod, String namespace) {
    return node(
        "sidecar~10.0.0.1~" + pod + "." + namespace + "~" + namespace + ".svc.cluster.local",
        namespace,
        false);
  }

  public void send(DiscoveryRequest r) {
    requests.onNext(r);
  }

  public void request(Node node, String type, List<String> names, String version, String nonce) {
    DiscoveryRequest.Builder r =
        DiscoveryRequest.newBuilder()
            .setTypeUrl(type)
            .addAllResourceNames(names)
            .setVersionInfo(version)
            .setResponseNonce(nonce);
    if (node != null) {
      r.setNode(node);
    }
    send(r.build());
  }

  /** Acknowledges {@code r}. */
  public void ack(DiscoveryResponse r, List<String> names) {
    request(null, r.getTypeUrl(), names, r.getVersionInfo(), r.getNonce());
  }

  /** Refuses {@code r}: its type, its nonce and why, in {@code error_detail}, as Envoy does. */
  public void nack(DiscoveryResponse r, List<String> names, String message) {
    send(
        DiscoveryRequest.newBuilder()
            .setTypeUrl(r.getTypeUrl())
            .addAllResourceNames(names)
            .setResponseNonce(r.getNonce())
            .setErrorDetail(
                com.google.rpc.Status.newBuilder()
                    .setCode(Status.Code.INVALID_ARGUMENT.value())
                    .setMessage(message))
            .build());
  }

  /** The next response, whose every resource follows Envoy's validation rules. */
  public DiscoveryResponse next() throws InterruptedException {
    DiscoveryResponse r = responses.poll(10, TimeUnit.SECONDS);
    if (r == null) {
      throw new AssertionError("no response within 10s");
    }
    return followsEnvoyRules(r);
  }

  /** The next response if one comes within {@code millis}, else null; checked as {@link #next}. */
  public DiscoveryResponse poll(long millis) throws InterruptedException {
    DiscoveryResponse r = responses.poll(millis, TimeUnit.MILLISECONDS);
    return r == null ? null : followsEnvoyRules(r);
  }

  /** Fails with the resource, field path and rule of every rule a served resource breaks. */
  public static DiscoveryResponse followsEnvoyRules(DiscoveryResponse r) {
    List<RuleViolation> violations = new ArrayList<>();
    for (Any resource : r.getResourcesList()) {
      violations.addAll(EnvoyRules.get().checkPacked(resource));
    }
    if (!violations.isEmpty()) {
      throw new AssertionError(
          "served "
              + r.getTypeUrl()
              + " breaks Envoy's validation rules:\n  "
              + String.join("\n  ", violations.stream().map(RuleViolation::toString).toList()));
    }
    return r;
  }

  /** Whether the server has ended the stream, and how; null while it is open. */
  public Status closedWith() {
    return closed.getNow(null);
  }

  /** Whether a response is waiting to be read. */
  public boolean hasResponse() {
    return !responses.isEmpty();
  }

  public Status awaitClose() throws Exception {
    return closed.get(10, TimeUnit.SECONDS);
  }

  /** Waits up to 10 s for {@code condition}. */
  public static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 10s");
      }
      Thread.sleep(20);
    }
  }

  @Override
  public void close() throws InterruptedException {
    try {
      requests.onCompleted();
    } catch (RuntimeException ignored) {
      // already closed by the server
    }
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
