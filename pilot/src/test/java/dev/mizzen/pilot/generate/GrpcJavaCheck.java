package dev.mizzen.pilot.generate;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import dev.mizzen.pilot.cache.ProxyResources;
import dev.mizzen.pilot.cache.TypeUrls;
import io.grpc.xds.GrpcJavaTypes;
import io.grpc.xds.client.GrpcJavaParser;
import io.grpc.xds.client.XdsResourceType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What grpc-java's xDS client would NACK of the resources a proxyless gRPC proxy is served, read by
 * grpc-java's own code: "TYPE: error" per problem, empty when it would accept them all.
 */
public final class GrpcJavaCheck {
  private static final Map<String, XdsResourceType<?>> TYPES =
      Map.of(
          TypeUrls.LISTENER, GrpcJavaTypes.listener(),
          TypeUrls.ROUTE, GrpcJavaTypes.route(),
          TypeUrls.CLUSTER, GrpcJavaTypes.cluster(),
          TypeUrls.ENDPOINT, GrpcJavaTypes.endpoint());

  private GrpcJavaCheck() {}

  public static List<String> problems(ProxyResources resources) {
    List<String> problems = new ArrayList<>();
    for (String type : TypeUrls.PUSH_ORDER) {
      List<Any> packed = new ArrayList<>();
      for (Message m : resources.of(type).values()) {
        packed.add(Any.pack(m));
      }
      if (packed.isEmpty()) {
        continue;
      }
      for (String error :
          GrpcJavaParser.errors(TYPES.get(type), packed, resources.of(type).keySet())) {
        problems.add(TypeUrls.shortName(type) + ": " + error);
      }
    }
    return problems;
  }
}
