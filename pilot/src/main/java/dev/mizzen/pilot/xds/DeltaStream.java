package dev.mizzen.pilot.xds;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.grpc.StatusException;
import io.grpc.stub.StreamObserver;

/**
 * One incremental ADS stream. Like {@link SotwStream} it keeps little of its own: the protocol
 * state lives in its connection, and its responses are made once for every stream whose proxy holds
 * and asks for the same (see {@link DeltaResponder}).
 */
final class DeltaStream extends AdsStream<DeltaDiscoveryRequest> {
  DeltaStream(
      ProxyStreams<?> streams,
      Admission admission,
      StreamObserver<PreparedResponse> out,
      StreamHandle handle) {
    super(streams, admission, out, handle);
    conn.sendsBy(this);
  }

  @Override
  Node node(DeltaDiscoveryRequest request) {
    return request.hasNode() ? request.getNode() : null;
  }

  @Override
  String typeUrl(DeltaDiscoveryRequest request) {
    return request.getTypeUrl();
  }

  @Override
  void request(DeltaDiscoveryRequest request) throws StatusException {
    streams.request(conn, request);
  }
}
