package dev.mizzen.tests;

import java.util.Map;

/**
 * Manifests of the end-to-end tests' mesh: namespace shop, its member roll, Services of backends.
 */
final class MeshYaml {
  private MeshYaml() {}

  static final String MEMBERS =
      """
      apiVersion: v1
      kind: Namespace
      metadata: {name: shop}
      ---
      apiVersion: maistra.io/v1
      kind: ServiceMeshMemberRoll
      metadata: {name: default, namespace: istio-system}
      spec: {members: [shop]}
      """;

  /**
   * A Service {@code name} in shop on gRPC port 7070 whose endpoints are the backends, each as a
   * pod {@code NAME-VERSION} labelled {@code app: NAME, version: VERSION}.
   */
  static String service(String name, Map<String, Backend> versions) {
    StringBuilder y =
        new StringBuilder(
            """
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: %s, namespace: shop}
            spec:
              selector: {app: %s}
              ports: [{name: grpc, port: 7070}]
            ---
            apiVersion: v1
            kind: Endpoints
            metadata: {name: %s, namespace: shop}
            subsets:
            """
                .formatted(name, name, name));
    versions.forEach(
        (version, b) ->
            y.append(
                """
                - addresses: [{ip: 127.0.0.1, targetRef: {kind: Pod, name: %s-%s}}]
                  ports: [{name: grpc, port: %d}]
                """
                    .formatted(name, version, b.port())));
    versions.forEach(
        (version, b) ->
            y.append(
                """
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: %s-%s, namespace: shop, labels: {app: %s, version: %s}}
                """
                    .formatted(name, version, name, version)));
    return y.toString();
  }

  /** A VirtualService for {@code host} with the given {@code http:} list. */
  static String virtualService(String host, String http) {
    return """
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: %s, namespace: shop}
        spec:
          hosts: [%s]
          http:
        """
            .formatted(host, host)
        + http.stripIndent().indent(2);
  }

  /** A DestinationRule for {@code host} with the given fields beside {@code host}. */
  static String destinationRule(String host, String spec) {
    return """
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: %s, namespace: shop}
        spec:
          host: %s
        """
            .formatted(host, host)
        + spec.stripIndent().indent(2);
  }
}
