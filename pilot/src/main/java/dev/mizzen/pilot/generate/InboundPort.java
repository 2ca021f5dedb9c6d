package dev.mizzen.pilot.generate;

import dev.mizzen.ingest.model.Protocol;
import java.util.Objects;

/**
 * A port a workload serves, found through a service whose endpoints it is, or named by the ingress
 * of its Sidecar resource.
 *
 * @param port the workload (container) port, where traffic arrives
 * @param protocol the service port's protocol
 * @param service the host of the service, empty when a Sidecar names the port
 * @param servicePort the service port that leads here, 0 when a Sidecar names the port
 * @param endpointPort where the application listens on 127.0.0.1 (a Sidecar's {@code
 *     defaultEndpoint}), 0 when traffic goes on to its original destination
 */
public record InboundPort(
    int port, Protocol protocol, String service, int servicePort, int endpointPort) {
  public InboundPort {
    Objects.requireNonNull(protocol);
    Objects.requireNonNull(service);
  }

  public InboundPort(int port, Protocol protocol, String service, int servicePort) {
    this(port, protocol, service, servicePort, 0);
  }

  /** Istio's name of the inbound cluster and route configuration of the port. */
  public String clusterName() {
    return "inbound|" + port + "||";
  }
}
