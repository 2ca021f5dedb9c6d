package dev.mizzen.pilot.xds;

import io.grpc.ForwardingServerCall;
import io.grpc.Grpc;
import javax.net.ssl.SSLSession;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import java.net.SocketAddress;

/**
 * The server's hold on one gRPC stream: where it comes from, and a way to end it with a status of
 * Mizzen's choosing (a proxy whose namespace left the mesh). Sends and the close are serialized,
 * and nothing is sent after the close.
 */
final class StreamHandle {
  private final SocketAddress remoteAddress;
  private final PeerIdentity identity;
  private final String identityError;
  private volatile GuardedCall<?, ?> call;
  private final Object readiness = new Object();
  private volatile Runnable onEnd = () -> {};

  StreamHandle(SocketAddress remoteAddress) {
    this(remoteAddress, null, null);
  }

  /**
   * @param identity the identity of the verified client certificate, null on plain text
   * @param identityError why a TLS client has no usable identity, null when it has one
   */
  StreamHandle(SocketAddress remoteAddress, PeerIdentity identity, String identityError) {
    this.remoteAddress = remoteAddress;
    this.identity = identity;
    this.identityError = identityError;
  }

  /** The stream's handle, with the peer's identity when it came over TLS. */
  static StreamHandle of(ServerCall<?, ?> call) {
    SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
    if (session == null) {
      return new StreamHandle(remote);
    }
    try {
      return new StreamHandle(remote, PeerIdentity.of(session), null);
    } catch (PeerIdentity.InvalidIdentityException e) {
      return new StreamHandle(remote, null, e.getMessage());
    }
  }

  /** Runs {@code action} when the stream ends, however it ends (the client may just cancel). */
  void onEnd(Runnable action) {
    this.onEnd = action;
  }

  /** Called by the transport when the stream has ended. */
  void ended() {
    onReady();
    onEnd.run();
  }

  /** The workload identity of a stream on the secure port, null on plain text. */
  PeerIdentity identity() {
    return identity;
  }

  /** Why a stream on the secure port has no identity, null otherwise. */
  String identityError() {
    return identityError;
  }

  SocketAddress remoteAddress() {
    return remoteAddress;
  }

  <Q, R> ServerCall<Q, R> guard(ServerCall<Q, R> delegate) {
    GuardedCall<Q, R> guarded = new GuardedCall<>(delegate);
    this.call = guarded;
    return guarded;
  }

  /** Whether the transport has taken what was sent (no more than gRPC's small buffer is queued). */
  boolean isReady() {
    GuardedCall<?, ?> c = call;
    return c == null || c.isReady() || c.closed();
  }

  /** Called by the transport when the stream can take more. */
  void onReady() {
    synchronized (readiness) {
      readiness.notifyAll();
    }
  }

  /**
   * Waits until the transport has taken what was sent, at most {@code millis}; a stream whose
   * reader stalls keeps only what is already queued, and nobody waits on it longer than that.
   *
   * @return whether it became ready
   */
  boolean awaitReady(long millis) throws InterruptedException {
    long deadline = System.nanoTime() + millis * 1_000_000L;
    synchronized (readiness) {
      while (!isReady()) {
        long left = (deadline - System.nanoTime()) / 1_000_000L;
        if (left <= 0) {
          return false;
        }
        readiness.wait(left);
      }
    }
    return true;
  }

  /** Ends the stream with {@code status}; a no-op when already closed. */
  void close(Status status) {
    GuardedCall<?, ?> c = call;
    if (c != null) {
      c.close(status, new Metadata());
    }
  }

  private void notifyReadiness() {
    onReady();
  }

  private final class GuardedCall<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {
    private boolean closed;

    GuardedCall(ServerCall<Q, R> delegate) {
      super(delegate);
    }

    @Override
    public synchronized void sendHeaders(Metadata headers) {
      if (!closed) {
        super.sendHeaders(headers);
      }
    }

    @Override
    public synchronized void sendMessage(R message) {
      if (!closed) {
        super.sendMessage(message);
      }
    }

    synchronized boolean closed() {
      return closed;
    }

    @Override
    public synchronized void close(Status status, Metadata trailers) {
      if (!closed) {
        closed = true;
        super.close(status, trailers);
      }
      notifyReadiness();
    }
  }
}
