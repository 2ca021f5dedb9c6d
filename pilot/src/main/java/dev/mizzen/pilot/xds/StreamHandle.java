package dev.mizzen.pilot.xds;

import io.grpc.ForwardingServerCall;
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
  volatile long streamId = -1;

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

  /** Ends the stream with {@code status}; a no-op when already closed. */
  void close(Status status) {
    GuardedCall<?, ?> c = call;
    if (c != null) {
      c.close(status, new Metadata());
    }
  }

  private static final class GuardedCall<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {
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

    @Override
    public synchronized void close(Status status, Metadata trailers) {
      if (!closed) {
        closed = true;
        super.close(status, trailers);
      }
    }
  }
}
