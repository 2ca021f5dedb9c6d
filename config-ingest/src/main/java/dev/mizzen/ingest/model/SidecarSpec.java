package dev.mizzen.ingest.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An Istio Sidecar: narrows what the proxies it selects are sent and which ports they serve.
 *
 * @param workloadSelector the labels of the workloads it applies to in its namespace; empty for
 *     every workload of the namespace (or, in the root namespace, of the mesh) without a more
 *     specific Sidecar
 * @param ingress ports the workload serves, replacing those found through services; empty for those
 *     found
 * @param egress what the workload may reach; empty for everything visible
 * @param outboundRegistryOnly whether traffic to unknown hosts is dropped (REGISTRY_ONLY), passed
 *     through (ALLOW_ANY), or, when null, what the mesh says
 */
public record SidecarSpec(
    Map<String, String> workloadSelector,
    List<IngressListener> ingress,
    List<EgressListener> egress,
    Boolean outboundRegistryOnly)
    implements Spec {

  public SidecarSpec {
    workloadSelector = Map.copyOf(workloadSelector);
    ingress = List.copyOf(ingress);
    egress = List.copyOf(egress);
  }

  /**
   * A port the workload serves.
   *
   * @param port the port traffic arrives on
   * @param protocol its protocol
   * @param name the port's name
   * @param targetPort where the application listens ({@code defaultEndpoint}'s port), 0 for the
   *     same port
   */
  public record IngressListener(int port, Protocol protocol, String name, int targetPort) {
    public IngressListener {
      Objects.requireNonNull(protocol);
      Objects.requireNonNull(name);
    }
  }

  /**
   * Hosts the workload may reach, on one port or on all.
   *
   * @param port the port, 0 for every port no other listener names
   * @param protocol the port's protocol, null when not written (or no port)
   * @param hosts {@code namespace/host} patterns: namespace is a name, {@code .} (the Sidecar's),
   *     {@code *} (any) or {@code ~} (none); host is a name, {@code *.suffix} or {@code *}
   */
  public record EgressListener(int port, Protocol protocol, List<String> hosts) {
    public EgressListener {
      hosts = List.copyOf(hosts);
    }
  }
}
