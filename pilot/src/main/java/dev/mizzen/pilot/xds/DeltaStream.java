package dev.mizzen.pilot.xds;

import dev.mizzen.pilot.proxy.Proxy;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.stub.StreamObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One incremental ADS stream. Like {@link SotwStream} it keeps little of its own: the protocol
 * state lives in its connection, and responses are built from the group's snapshot per stream,
 * since each proxy holds its own versions.
 */
final class DeltaStream implements StreamObserver<DeltaDiscoveryRequest> {
  private static final Logger log = LoggerFactory.getLogger(DeltaStream.class);

  private final ProxyStreams<?> streams;
  private final Admission admission;
  private final StreamObserver<DeltaDiscoveryResponse> out;
  private final ProxyConnection conn;
  private long nonce;
  private boolean closed;

  DeltaStream(
      ProxyStreams<?> streams,
      Admission admission,
      StreamObserver<DeltaDiscoveryResponse> out,
      StreamHandle handle) {
    this.streams = streams;
    this.admission = admission;
    this.out = out;
    this.conn = streams.open(handle);
    conn.sendsBy(this);
    handle.onEnd(() -> streams.close(conn));
  }

  @Override
  public void onNext(DeltaDiscoveryRequest request) {
    try {
      if (conn.proxy() == null) {
        Proxy proxy = admission.admit(conn.handle(), request.hasNode() ? request.getNode() : null);
        streams.bind(conn, proxy);
      }
      if (request.getTypeUrl().isEmpty()) {
        throw Status.INVALID_ARGUMENT
            .withDescription("ADS requests must name their type (type_url)")
            .asException();
      }
      streams.request(conn, request);
    } catch (StatusException e) {
      fail(e);
    }
  }

  /** Sends one response with this stream's next nonce. Called with the connection locked. */
  DeltaDiscoveryResponse send(DeltaDiscoveryResponse.Builder response) {
    DeltaDiscoveryResponse sent = response.setNonce(Long.toString(++nonce)).build();
    synchronized (this) {
      if (!closed) {
        out.onNext(sent);
      }
    }
    conn.handle().sent(sent.getSerializedSize());
    return sent;
  }

  private void fail(StatusException e) {
    synchronized (this) {
      if (!closed) {
        closed = true;
        out.onError(e);
      }
    }
    streams.close(conn);
  }

  @Override
  public void onError(Throwable t) {
    if (Status.fromThrowable(t).getCode() != Status.Code.CANCELLED) {
      log.debug("stream {} ended: {}", conn.streamId(), t.toString());
    }
    synchronized (this) {
      closed = true;
    }
    streams.close(conn);
  }

  @Override
  public void onCompleted() {
    synchronized (this) {
      if (!closed) {
        closed = true;
        out.onCompleted();
      }
    }
    streams.close(conn);
  }
}
