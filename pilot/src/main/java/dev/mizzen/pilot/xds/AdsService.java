package dev.mizzen.pilot.xds;

import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.util.function.BiFunction;

/**
 * The ADS service, both of its methods served by Mizzen's own streams: state of the world ({@link
 * SotwStream}, which sends each group's responses serialized once for all its streams) and
 * incremental ({@link DeltaStream}). Each call gets its {@link StreamHandle} here, from the call
 * itself, and hands it to its stream.
 */
final class AdsService {
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private AdsService() {}

  /**
   * @param tokens checks a stream's bearer token when it presents no certificate; null where
   *     streams prove themselves by certificate only
   */
  static ServerServiceDefinition bind(
      ProxyStreams<?> streams, Admission admission, TokenAuthenticator tokens) {
    MethodDescriptor<SotwRequest, PreparedResponse> sotw =
        AggregatedDiscoveryServiceGrpc.getStreamAggregatedResourcesMethod().toBuilder(
                SotwRequest.MARSHALLER, PreparedResponse.MARSHALLER)
            .build();
    MethodDescriptor<DeltaDiscoveryRequest, PreparedResponse> delta =
        AggregatedDiscoveryServiceGrpc.getDeltaAggregatedResourcesMethod().toBuilder(
                AggregatedDiscoveryServiceGrpc.getDeltaAggregatedResourcesMethod()
                    .getRequestMarshaller(),
                PreparedResponse.MARSHALLER)
            .build();
    return ServerServiceDefinition.builder(AggregatedDiscoveryServiceGrpc.SERVICE_NAME)
        .addMethod(
            sotw, handled(tokens, (out, handle) -> new SotwStream(streams, admission, out, handle)))
        .addMethod(
            delta,
            handled(tokens, (out, handle) -> new DeltaStream(streams, admission, out, handle)))
        .build();
  }

  /**
   * A bidirectional streaming method whose stream is made with its call's handle: the handle guards
   * the call (nothing is sent after it is closed), tracks the transport's readiness for the push
   * queue, and reports the end of the stream however it ends.
   */
  private static <Q, R> ServerCallHandler<Q, R> handled(
      TokenAuthenticator tokens,
      BiFunction<StreamObserver<R>, StreamHandle, StreamObserver<Q>> stream) {
    return (call, headers) -> {
      StreamHandle handle = StreamHandle.of(call, headers.get(AUTHORIZATION), tokens);
      ServerCall<Q, R> guarded = handle.guard(call);
      ServerCall.Listener<Q> listener =
          ServerCalls.<Q, R>asyncBidiStreamingCall(out -> stream.apply(out, handle))
              .startCall(guarded, headers);
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
            handle.ended();
          }
        }

        @Override
        public void onComplete() {
          try {
            super.onComplete();
          } finally {
            handle.ended();
          }
        }
      };
    };
  }
}
