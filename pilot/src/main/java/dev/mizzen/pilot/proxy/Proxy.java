package dev.mizzen.pilot.proxy;

import com.google.protobuf.Struct;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A connected data plane, identified as Istio identifies its proxies.
 *
 * @param id the node id, {@code TYPE~IP~POD.NAMESPACE~NAMESPACE.svc.cluster.local}
 * @param type sidecar or router (gateway)
 * @param ips the proxy's IPs, from INSTANCE_IPS when given, else from the node id
 * @param podName the pod's name
 * @param namespace the pod's namespace
 * @param labels the workload's labels (LABELS)
 * @param clusterId the cluster it runs in (CLUSTER_ID)
 * @param istioVersion the proxy's version (ISTIO_VERSION), empty when unknown (treated as newest)
 * @param generator ENVOY, or GRPC for proxyless gRPC (GENERATOR=grpc)
 * @param metadata the node metadata as sent
 * @param readsSecrets whether the proxy proved an identity (a certificate this mesh issued, or a
 *     service-account token) of its own namespace that may read that namespace's Secrets: only then
 *     is it served the Secrets its config names by {@code credentialName}. Never from the node.
 */
public record Proxy(
    String id,
    Type type,
    List<String> ips,
    String podName,
    String namespace,
    Map<String, String> labels,
    String clusterId,
    String istioVersion,
    Generator generator,
    Struct metadata,
    boolean readsSecrets) {

  /** Istio's proxy types. */
  public enum Type {
    SIDECAR,
    ROUTER;

    public String istioName() {
      return this == SIDECAR ? "sidecar" : "router";
    }
  }

  /** Which shape of resources the proxy understands. */
  public enum Generator {
    ENVOY,
    GRPC
  }

  public Proxy {
    Objects.requireNonNull(id);
    Objects.requireNonNull(type);
    ips = List.copyOf(ips);
    Objects.requireNonNull(podName);
    Objects.requireNonNull(namespace);
    labels = Map.copyOf(labels);
    Objects.requireNonNull(clusterId);
    Objects.requireNonNull(istioVersion);
    Objects.requireNonNull(generator);
    Objects.requireNonNull(metadata);
  }

  /** The same proxy, proven to be allowed to read its namespace's Secrets. */
  public Proxy readingSecrets() {
    return new Proxy(
        id,
        type,
        ips,
        podName,
        namespace,
        labels,
        clusterId,
        istioVersion,
        generator,
        metadata,
        true);
  }

  /** The first IP, the one Istio uses for the proxy's own address. */
  public String ip() {
    return ips.isEmpty() ? "" : ips.get(0);
  }

  /** "pod.namespace", the id istiod's debug endpoints accept. */
  public String shortId() {
    return podName + "." + namespace;
  }
}
