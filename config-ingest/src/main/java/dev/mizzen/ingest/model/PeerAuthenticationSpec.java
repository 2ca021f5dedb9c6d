package dev.mizzen.ingest.model;

import java.util.Map;
import java.util.Objects;

/**
 * An Istio PeerAuthentication: whether workloads require mutual TLS from their peers.
 *
 * @param selector the workloads it applies to; empty means the whole namespace (the mesh, in the
 *     root namespace)
 * @param mode the mode for the workloads' ports
 * @param portLevel modes of single workload (container) ports, overriding {@code mode}
 */
public record PeerAuthenticationSpec(
    Map<String, String> selector, MtlsMode mode, Map<Integer, MtlsMode> portLevel) implements Spec {

  public PeerAuthenticationSpec {
    selector = Map.copyOf(selector);
    Objects.requireNonNull(mode, "mode");
    portLevel = Map.copyOf(portLevel);
  }
}
