package dev.mizzen.pilot.xds;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.grpc.StatusException;
import io.grpc.stub.StreamObserver;

/**
 * One incremental ADS stream. Like {@link SotwStream} it keeps little of its own: the protocol
 * state lives in its connection, and responses are built from the group's snapshot per stream,
 * since each proxy holds its own versions.
 */
final class DeltaStream extends AdsStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse> {
  DeltaStream(
      ProxyStreams<?> streams,
      Admission admission,
      StreamObserver<DeltaDiscoveryResponse> out,
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

  /** Sends one response with this stream's next nonce. Called with the connection locked. */
  DeltaDiscoveryResponse send(DeltaDiscoveryResponse.Builder response) {
    DeltaDiscoveryResponse sent = response.setNonce(nextNonce()).build();
    write(sent, sent.getSerializedSize());
    return sent;
  }
}
