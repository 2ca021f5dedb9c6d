package dev.mizzen.tests;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A proxyless gRPC client bootstrapped at a Mizzen, calling {@code grpc.testing.SimpleService}
 * through {@code xds:///TARGET}: grpc-java's ({@link JavaCaller}) or Node's ({@link NodeCaller}),
 * so that one scenario can run through both.
 */
interface XdsCaller extends AutoCloseable {
  /** The client's name as tests and the README name it, e.g. "grpc-java". */
  String name();

  /** The pod name in the client's node id ({@code sidecar~127.0.0.1~POD.NS~...}). */
  String pod();

  /**
   * Makes {@code calls} calls of {@code UnaryRpc} to {@code target}, one after the other or all at
   * once, each with the headers and its own deadline, waiting for the channel to be ready.
   */
  List<Outcome> call(
      String target, Map<String, String> headers, Duration deadline, int calls, boolean parallel);

  default Outcome call(String target, Map<String, String> headers, Duration deadline) {
    return call(target, headers, deadline, 1, false).get(0);
  }

  default Outcome call(String target, Map<String, String> headers) {
    return call(target, headers, Duration.ofSeconds(10));
  }

  @Override
  void close();
}
