package dev.mizzen.tests;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/** A gRPC server on 127.0.0.1 that answers every call with its own name. */
final class Backend implements AutoCloseable {
  private final Server server;

  Backend(String name) throws IOException {
    server =
        Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
            .addService(
                new SimpleServiceGrpc.SimpleServiceImplBase() {
                  @Override
                  public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> response) {
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

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow();
    server.awaitTermination(5, TimeUnit.SECONDS);
  }
}
