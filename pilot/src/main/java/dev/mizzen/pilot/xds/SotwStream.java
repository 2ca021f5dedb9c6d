package dev.mizzen.pilot.xds;

import com.google.protobuf.ByteString;
import dev.mizzen.pilot.proxy.Proxy;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.stub.StreamObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One state-of-the-world ADS stream. It keeps little of its own: the proxy, per type what was
 * asked, sent and acknowledged (in the connection), and a nonce counter; the responses it sends are
 * the group's, serialized once for all the group's streams.
 */
final class SotwStream implements StreamObserver<DiscoveryRequest> {
  private static final Logger log = LoggerFactory.getLogger(SotwStream.class);

  private final ProxyStreams<?> streams;
  private final Admission admission;
  private final StreamObserver<PreparedResponse> out;
  private final ProxyConnection conn;
  private long nonce;
  private boolean closed;

  SotwStream(
      ProxyStreams<?> streams,
      Admission admission,
      StreamObserver<PreparedResponse> out,
      StreamHandle handle) {
    this.streams = streams;
    this.admission = admission;
    this.out = out;
    this.conn = streams.open(handle);
    conn.sendsBy(this);
    handle.onEnd(() -> streams.close(conn));
  }

  @Override
  public void onNext(DiscoveryRequest request) {
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

  /** Sends one response, with this stream's next nonce. Called with the connection locked. */
  String send(ByteString body) {
    String n = Long.toString(++nonce);
    synchronized (this) {
      if (!closed) {
        out.onNext(new PreparedResponse(body, n));
      }
    }
    conn.handle().sent(body.size() + n.length());
    return n;
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
