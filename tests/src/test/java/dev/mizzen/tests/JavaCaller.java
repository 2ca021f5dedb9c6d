package dev.mizzen.tests;

import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** grpc-java's own xDS client, one channel (and xDS client) per target, all with one bootstrap. */
final class JavaCaller implements XdsCaller {
  private final Map<String, Object> bootstrap;
  private final String pod;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

  JavaCaller(int xdsPort, String pod, String namespace, Map<String, String> labels) {
    this.pod = pod;
    this.bootstrap = XdsClients.bootstrap(xdsPort, pod, namespace, labels);
  }

  @Override
  public String name() {
    return "grpc-java";
  }

  @Override
  public String pod() {
    return pod;
  }

  @Override
  public List<Outcome> call(
      String target, Map<String, String> headers, Duration deadline, int calls, boolean parallel) {
    Channel ch =
        ClientInterceptors.intercept(
            channels.computeIfAbsent(target, t -> XdsClients.channel(t, bootstrap)),
            headers(headers));
    List<ListenableFuture<SimpleResponse>> futures = new ArrayList<>();
    List<Outcome> out = new ArrayList<>();
    for (int i = 0; i < calls; i++) {
      ListenableFuture<SimpleResponse> f =
          SimpleServiceGrpc.newFutureStub(ch)
              .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
              .withWaitForReady()
              .unaryRpc(SimpleRequest.getDefaultInstance());
      if (parallel) {
        futures.add(f);
      } else {
        out.add(outcome(f));
      }
    }
    futures.forEach(f -> out.add(outcome(f)));
    return out;
  }

  private static Outcome outcome(ListenableFuture<SimpleResponse> f) {
    try {
      return Outcome.answered(f.get().getResponseMessage());
    } catch (ExecutionException e) {
      Status s = Status.fromThrowable(e.getCause());
      return Outcome.failed(s.getCode(), s.getDescription());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static ClientInterceptor headers(Map<String, String> headers) {
    return new ClientInterceptor() {
      @Override
      public <Q, R> ClientCall<Q, R> interceptCall(
          MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        return new ForwardingClientCall.SimpleForwardingClientCall<>(
            next.newCall(method, options)) {
          @Override
          public void start(Listener<R> listener, Metadata md) {
            headers.forEach(
                (k, v) -> md.put(Metadata.Key.of(k, Metadata.ASCII_STRING_MARSHALLER), v));
            super.start(listener, md);
          }
        };
      }
    };
  }

  @Override
  public void close() {
    for (ManagedChannel c : channels.values()) {
      c.shutdownNow();
    }
    for (ManagedChannel c : channels.values()) {
      try {
        c.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
