package dev.mizzen.pilot.xds;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.grpc.ForwardingServerCall;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import java.net.SocketAddress;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's hold on one gRPC stream: where it comes from, and a way to end it with a status of
 * Mizzen's choosing (a proxy whose namespace left the mesh). Sends and the close are serialized,
 * and nothing is sent after the close.
 */
final class StreamHandle {
  private static final Logger log = LoggerFactory.getLogger(StreamHandle.class);
  private final SocketAddress remoteAddress;
  private final PeerIdentity identity;
  private final String identityError;
  private volatile GuardedCall<?, ?> call;
  private final Object readiness = new Object();
  private volatile Runnable onEnd = () -> {};

  /**
   * How many responses, and how many bytes of them, a proxy may leave unread (handed to the
   * transport while it was already full) before its stream is closed. A proxy following the
   * protocol has at most one response per type in flight (four), so only a client that stops
   * reading comes near; it is closed with RESOURCE_EXHAUSTED before what it leaves unread can grow.
   */
  static final int MAX_UNREAD_RESPONSES = 8;

  static final long MAX_UNREAD_BYTES = 64L * 1024 * 1024;

  @GuardedBy("readiness")
  private int unreadResponses;

  @GuardedBy("readiness")
  private long unreadBytes;

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

  /**
   * The stream's handle, with the peer's identity when it came over TLS: its certificate's, or,
   * without a certificate, its bearer token's when {@code tokens} can check one.
   */
  static StreamHandle of(ServerCall<?, ?> call, String authorization, TokenAuthenticator tokens) {
    SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
    if (session == null) {
      return new StreamHandle(remote);
    }
    if (tokens != null && authorization != null && !PeerIdentity.presentedCertificate(session)) {
      try {
        return new StreamHandle(remote, PeerIdentity.parse(tokens.spiffe(authorization)), null);
      } catch (IllegalArgumentException | PeerIdentity.InvalidIdentityException e) {
        return new StreamHandle(remote, null, e.getMessage());
      }
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

  /** Called by the transport when the stream can take more: what was unread has been read. */
  void onReady() {
    synchronized (readiness) {
      unreadResponses = 0;
      unreadBytes = 0;
      readiness.notifyAll();
    }
  }

  /**
   * Counts a response just handed to the transport. One handed over while the transport was full is
   * unread; a stream over {@link #MAX_UNREAD_RESPONSES} or {@link #MAX_UNREAD_BYTES} is closed with
   * RESOURCE_EXHAUSTED, which names the bound. Other streams are not affected.
   *
   * @return whether the stream is still open
   */
  boolean sent(long bytes) {
    String over = null;
    synchronized (readiness) {
      if (isReady()) {
        unreadResponses = 0;
        unreadBytes = 0;
        return true;
      }
      unreadResponses++;
      unreadBytes += bytes;
      if (unreadResponses > MAX_UNREAD_RESPONSES) {
        over =
            unreadResponses + " responses left unread, over the limit of " + MAX_UNREAD_RESPONSES;
      } else if (unreadBytes > MAX_UNREAD_BYTES) {
        over =
            unreadBytes + " bytes of responses left unread, over the limit of " + MAX_UNREAD_BYTES;
      }
    }
    if (over == null) {
      return true;
    }
    log.warn("closing the stream from {}: the proxy does not read it: {}", remoteAddress, over);
    close(Status.RESOURCE_EXHAUSTED.withDescription("the proxy does not read its stream: " + over));
    return false;
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

  /**
   * Ends the stream with {@code status}; a no-op when already closed. The stream is over for Mizzen
   * at once: its end is reported now, not when the transport has delivered the status, which a
   * client that does not read may never let it do.
   */
  void close(Status status) {
    GuardedCall<?, ?> c = call;
    if (c != null) {
      c.close(status, new Metadata());
    }
    ended();
  }

  private void notifyReadiness() {
    onReady();
  }

  /**
   * The call, sends and close serialized on it. Whoever waits for readiness holds {@code readiness}
   * and reads {@link #closed()}; so {@code closed} is read without the call's lock, and readiness
   * is signalled only after that lock is released, never while holding it.
   */
  private final class GuardedCall<Q, R>
      extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {
    private volatile boolean closed;

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

    boolean closed() {
      return closed;
    }

    @Override
    public void close(Status status, Metadata trailers) {
      synchronized (this) {
        if (!closed) {
          closed = true;
          super.close(status, trailers);
        }
      }
      notifyReadiness();
    }
  }
}
