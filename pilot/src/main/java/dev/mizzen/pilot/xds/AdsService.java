package dev.mizzen.pilot.xds;

import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;

/**
 * The ADS service: state of the world by Mizzen's own lean streams, which send each group's
 * responses serialized once for all its streams; incremental xDS by java-control-plane's delta
 * stream handling, answered by {@link XdsCache}.
 */
final class AdsService {
  private AdsService() {}

  static ServerServiceDefinition bind(XdsCache cache, Admission admission, V3DiscoveryServer delta) {
    MethodDescriptor<DiscoveryRequest, PreparedResponse> sotw =
        AggregatedDiscoveryServiceGrpc.getStreamAggregatedResourcesMethod().toBuilder(
                ProtoUtils.marshaller(DiscoveryRequest.getDefaultInstance()), PreparedResponse.MARSHALLER)
            .build();
    ServerServiceDefinition javaControlPlane = delta.getAggregatedDiscoveryServiceImpl().bindService();
    return ServerServiceDefinition.builder(AggregatedDiscoveryServiceGrpc.SERVICE_NAME)
        .addMethod(
            sotw,
            ServerCalls.asyncBidiStreamingCall(
                out -> {
                  StreamHandle handle = StreamInterceptor.HANDLE.get();
                  return new SotwStream(cache, admission, out, handle != null ? handle : new StreamHandle(null, null, null));
                }))
        .addMethod(
            javaControlPlane.getMethod(
                AggregatedDiscoveryServiceGrpc.getDeltaAggregatedResourcesMethod().getFullMethodName()))
        .build();
  }
}
