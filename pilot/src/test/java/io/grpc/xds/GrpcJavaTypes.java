package io.grpc.xds;

import io.grpc.xds.client.XdsResourceType;

/** grpc-java's readers of the four xDS types, which are not public API. */
public final class GrpcJavaTypes {
  private GrpcJavaTypes() {}

  public static XdsResourceType<?> listener() {
    return XdsListenerResource.getInstance();
  }

  public static XdsResourceType<?> route() {
    return XdsRouteConfigureResource.getInstance();
  }

  public static XdsResourceType<?> cluster() {
    return XdsClusterResource.getInstance();
  }

  public static XdsResourceType<?> endpoint() {
    return XdsEndpointResource.getInstance();
  }
}
