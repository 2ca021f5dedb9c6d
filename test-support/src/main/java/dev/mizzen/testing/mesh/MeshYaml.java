package dev.mizzen.testing.mesh;

import java.util.List;
import java.util.Map;

/**
 * Manifests of a test mesh, as the YAML a directory source reads or the API server is given. What
 * starts a file (a namespace, the member roll, {@link #members}) has no separator before it, so the
 * lines of a file keep their numbers in messages; what follows it (services, routing) opens each of
 * its documents with {@code ---}, so that the parts concatenate into one file.
 *
 * <p>The namespace-free parts are static; what lives in a namespace comes from {@link #in}.
 */
public final class MeshYaml {
  /** The control plane namespace of the tests' meshes, where the member roll lives. */
  public static final String CONTROL_PLANE = "istio-system";

  private final String namespace;

  private MeshYaml(String namespace) {
    this.namespace = namespace;
  }

  /** Builders of the objects of {@code namespace}. */
  public static MeshYaml in(String namespace) {
    return new MeshYaml(namespace);
  }

  /** A Namespace. */
  public static String namespace(String name) {
    return """
        apiVersion: v1
        kind: Namespace
        metadata: {name: %s}
        """
        .formatted(name);
  }

  /** The ServiceMeshMemberRoll {@code default} of {@code controlPlane}, listing {@code members}. */
  public static String memberRoll(String controlPlane, List<String> members) {
    return """
        apiVersion: maistra.io/v1
        kind: ServiceMeshMemberRoll
        metadata: {name: default, namespace: %s}
        spec: {members: [%s]}
        """
        .formatted(controlPlane, String.join(", ", members));
  }

  /**
   * The usual start of a test mesh: each namespace, and the roll of {@link #CONTROL_PLANE} making
   * them all members.
   */
  public static String members(String... namespaces) {
    StringBuilder y = new StringBuilder();
    for (String ns : namespaces) {
      y.append(namespace(ns)).append("---\n");
    }
    return y.append(memberRoll(CONTROL_PLANE, List.of(namespaces))).toString();
  }

  /**
   * A Service {@code name} on gRPC port 7070 whose endpoints are on 127.0.0.1, one per version (in
   * an EndpointSlice of its own), each as a pod {@code NAME-VERSION} labelled {@code app: NAME,
   * version: VERSION}.
   *
   * @param ports the port each version's endpoint listens on, by version, in order
   */
  public String service(String name, Map<String, Integer> ports) {
    StringBuilder y =
        new StringBuilder(
            """
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: %s, namespace: %s}
            spec:
              selector: {app: %s}
              ports: [{name: grpc, port: 7070}]
            """
                .formatted(name, namespace, name));
    // One EndpointSlice per version, as each listens on its own port.
    ports.forEach(
        (version, port) ->
            y.append(
                """
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: %s-%s
                  namespace: %s
                  labels: {kubernetes.io/service-name: %s}
                addressType: IPv4
                endpoints:
                - addresses: [127.0.0.1]
                  conditions: {ready: true}
                  targetRef: {kind: Pod, name: %s-%s}
                ports: [{name: grpc, port: %d, protocol: TCP}]
                """
                    .formatted(name, version, namespace, name, name, version, port)));
    ports.forEach(
        (version, port) ->
            y.append(
                """
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: %s-%s, namespace: %s, labels: {app: %s, version: %s}}
                """
                    .formatted(name, version, namespace, name, version)));
    return y.toString();
  }

  /**
   * A VirtualService named after {@code host}, for that host, with the given {@code http:} list.
   */
  public String virtualService(String host, String http) {
    return """
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: %s, namespace: %s}
        spec:
          hosts: [%s]
          http:
        """
            .formatted(host, namespace, host)
        + http.stripIndent().indent(2);
  }

  /** A DestinationRule named after {@code host}, with the given fields beside {@code host}. */
  public String destinationRule(String host, String spec) {
    return """
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: %s, namespace: %s}
        spec:
          host: %s
        """
            .formatted(host, namespace, host)
        + spec.stripIndent().indent(2);
  }
}
