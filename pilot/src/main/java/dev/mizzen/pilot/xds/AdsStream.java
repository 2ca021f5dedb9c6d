package dev.mizzen.pilot.xds;

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
 * the stream has ended, and the connection closed however it ends.
 *
 * @param <Q> the request message
 * @param <R> what is written to the client
 */
abstract class AdsStream<Q, R> implements StreamObserver<Q> {
  private static final Logger log = LoggerFactory.getLogger(AdsStream.class);

  final ProxyStreams<?> streams;
  final ProxyConnection conn;
  private final Admission admission;
  private final StreamObserver<R> out;
  private long nonce;
  private boolean closed;

  AdsStream(
      ProxyStreams<?> streams, Admission admission, StreamObserver<R> out, StreamHandle handle) {
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

  /** This stream's next nonce. Called with the connection locked. */
  final String nextNonce() {
    return Long.toString(++nonce);
  }

  /**
   * Writes {@code response} unless the stream has ended, and counts it against the stream's bound.
   */
  final void write(R response, long bytes) {
    synchronized (this) {
      if (!closed) {
        out.onNext(response);
      }
    }
    conn.handle().sent(bytes);
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
