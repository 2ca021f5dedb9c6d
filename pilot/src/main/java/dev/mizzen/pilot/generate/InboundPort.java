package dev.mizzen.pilot.generate;

import dev.mizzen.ingest.model.Protocol;
import java.util.Objects;

/**
 * A port a workload serves, found through a service whose endpoints it is.
 *
 * @param port the workload (container) port, where traffic arrives
 * @param protocol the service port's protocol
 * @param service the host of the service
 * @param servicePort the service port that leads here
 */
public record InboundPort(int port, Protocol protocol, String service, int servicePort) {
  public InboundPort {
    Objects.requireNonNull(protocol);
    Objects.requireNonNull(service);
  }

  /** Istio's name of the inbound cluster and route configuration of the port. */
  public String clusterName() {
    return "inbound|" + port + "||";
  }
}
