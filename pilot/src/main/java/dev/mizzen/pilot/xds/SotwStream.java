package dev.mizzen.pilot.xds;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.grpc.StatusException;
import io.grpc.stub.StreamObserver;

/**
 * One state-of-the-world ADS stream. It keeps little of its own: the proxy, per type what was
 * asked, sent and acknowledged (in the connection), and a nonce counter; the responses it sends are
 * the group's, serialized once for all the group's streams.
 */
final class SotwStream extends AdsStream<SotwRequest> {
  SotwStream(
      ProxyStreams<?> streams,
      Admission admission,
      StreamObserver<PreparedResponse> out,
      StreamHandle handle) {
    super(streams, admission, out, handle);
    conn.sendsBy(this);
  }

  @Override
  Node node(SotwRequest request) {
    DiscoveryRequest m = request.message();
    return m.hasNode() ? m.getNode() : null;
  }

  @Override
  String typeUrl(SotwRequest request) {
    return request.message().getTypeUrl();
  }

  @Override
  void request(SotwRequest request) throws StatusException {
    streams.request(conn, request.message(), request.names());
  }
}
