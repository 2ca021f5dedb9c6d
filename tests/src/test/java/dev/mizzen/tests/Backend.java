package dev.mizzen.tests;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A gRPC server on 127.0.0.1 that answers every call with its own name; optionally after a delay,
 * or failing its first calls with UNAVAILABLE.
 */
final class Backend implements AutoCloseable {
  private final Server server;
  private final AtomicInteger calls = new AtomicInteger();

  /**
   * The port of each backend, by the same keys, in the same order: for {@code MeshYaml.service}.
   */
  static Map<String, Integer> ports(Map<String, Backend> backends) {
    Map<String, Integer> ports = new LinkedHashMap<>();
    backends.forEach((k, b) -> ports.put(k, b.port()));
    return ports;
  }

  Backend(String name) throws IOException {
    this(name, Duration.ZERO, 0);
  }

  /**
   * @param delay how long each call waits before it is answered
   * @param failFirst how many calls fail with UNAVAILABLE before the others succeed
   */
  Backend(String name, Duration delay, int failFirst) throws IOException {
    server =
        Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
            .addService(
                new SimpleServiceGrpc.SimpleServiceImplBase() {
                  @Override
                  public void unaryRpc(
                      SimpleRequest request, StreamObserver<SimpleResponse> response) {
                    int n = calls.incrementAndGet();
                    if (n <= failFirst) {
                      response.onError(
                          Status.UNAVAILABLE
                              .withDescription(name + " fails call " + n)
                              .asRuntimeException());
                      return;
                    }
                    if (!delay.isZero()) {
                      try {
                        Thread.sleep(delay.toMillis());
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                    }
                    response.onNext(SimpleResponse.newBuilder().setResponseMessage(name).build());
                    response.onCompleted();
                  }
                })
            .build()
            .start();
  }

  int port() {
    return server.getPort();
  }

  /** How many calls reached it. */
  int calls() {
    return calls.get();
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow();
    server.awaitTermination(5, TimeUnit.SECONDS);
  }
}
