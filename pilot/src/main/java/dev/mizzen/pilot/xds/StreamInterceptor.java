package dev.mizzen.pilot.xds;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.net.SocketAddress;
import java.util.function.Consumer;
import javax.net.ssl.SSLSession;

/**
 * Gives every xDS stream a {@link StreamHandle}, reachable from java-control-plane's callbacks
 * through the gRPC context, and reports the stream's end however it ends (java-control-plane
 * tells its callbacks nothing when the client cancels).
 */
final class StreamInterceptor implements ServerInterceptor {
  static final Context.Key<StreamHandle> HANDLE = Context.key("mizzen-stream-handle");

  private final Consumer<StreamHandle> onEnd;

  StreamInterceptor(Consumer<StreamHandle> onEnd) {
    this.onEnd = onEnd;
  }

  /** The stream's handle, with the peer's identity when it came over TLS. */
  private static StreamHandle handle(ServerCall<?, ?> call) {
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

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    StreamHandle handle = handle(call);
    ServerCall<Q, R> guarded = handle.guard(call);
    Context context = Context.current().withValue(HANDLE, handle);
    ServerCall.Listener<Q> listener = Contexts.interceptCall(context, guarded, headers, next);
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
      @Override
      public void onReady() {
        try {
          super.onReady();
        } finally {
          handle.onReady();
        }
      }

      @Override
      public void onCancel() {
        try {
          super.onCancel();
        } finally {
          handle.onReady();
          onEnd.accept(handle);
        }
      }

      @Override
      public void onComplete() {
        try {
          super.onComplete();
        } finally {
          onEnd.accept(handle);
        }
      }
    };
  }
}
