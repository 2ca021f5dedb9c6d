package dev.mizzen.pilot.xds;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.util.function.Consumer;

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

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    StreamHandle handle = new StreamHandle(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
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
