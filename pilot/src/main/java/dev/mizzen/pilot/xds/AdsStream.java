package dev.mizzen.pilot.xds;

import com.google.protobuf.ByteString;
import dev.mizzen.pilot.proxy.Proxy;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.stub.StreamObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What both kinds of ADS stream share: a connection opened with the call's handle, the proxy
 * admitted on the first request, every request handed on with the connection, nothing sent after
 * the stream has ended, responses written as a body shared with other streams and the stream's own
 * nonce, and the connection closed however it ends.
 *
 * @param <Q> the request message
 */
abstract class AdsStream<Q> implements StreamObserver<Q> {
  private static final Logger log = LoggerFactory.getLogger(AdsStream.class);

  final ProxyStreams<?> streams;
  final ProxyConnection conn;
  private final Admission admission;
  private final StreamObserver<PreparedResponse> out;
  private long nonce;
  private boolean closed;

  AdsStream(
      ProxyStreams<?> streams,
      Admission admission,
      StreamObserver<PreparedResponse> out,
      StreamHandle handle) {
    this.streams = streams;
    this.admission = admission;
    this.out = out;
    this.conn = streams.open(handle);
    handle.onEnd(() -> streams.close(conn));
  }

  /** The node the request carries, or null. */
  abstract Node node(Q request);

  abstract String typeUrl(Q request);

  /** Applies the request to the connection's protocol state. */
  abstract void request(Q request) throws StatusException;

  @Override
  public final void onNext(Q request) {
    try {
      if (conn.proxy() == null) {
        Proxy proxy = admission.admit(conn.handle(), node(request));
        streams.bind(conn, proxy);
      }
      if (typeUrl(request).isEmpty()) {
        throw Status.INVALID_ARGUMENT
            .withDescription("ADS requests must name their type (type_url)")
            .asException();
      }
      request(request);
    } catch (StatusException e) {
      fail(e);
    }
  }

  /**
   * Sends one response, serialized without its nonce (and shared with the other streams sent the
   * same), with this stream's next nonce; returns the nonce. Called with the connection locked.
   * Nothing is written once the stream has ended; the bytes count against the stream's bound.
   */
  final String send(ByteString body) {
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
  public final void onError(Throwable t) {
    if (Status.fromThrowable(t).getCode() != Status.Code.CANCELLED) {
      log.debug("stream {} ended: {}", conn.streamId(), t.toString());
    }
    synchronized (this) {
      closed = true;
    }
    streams.close(conn);
  }

  @Override
  public final void onCompleted() {
    synchronized (this) {
      if (!closed) {
        closed = true;
        out.onCompleted();
      }
    }
    streams.close(conn);
  }
}
