package dev.mizzen.ingest.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A Kubernetes Service.
 *
 * @param clusterIp the virtual IP, empty or "None" for headless services
 * @param ports the service ports
 * @param selector the pod selector, empty when endpoints are managed by hand
 * @param type ClusterIP, NodePort, LoadBalancer or ExternalName
 */
public record ServiceSpec(
    String clusterIp, List<ServicePort> ports, Map<String, String> selector, String type)
    implements Spec {

  public ServiceSpec {
    Objects.requireNonNull(clusterIp, "clusterIp");
    ports = List.copyOf(ports);
    selector = Map.copyOf(selector);
    Objects.requireNonNull(type, "type");
  }

  public Optional<ServicePort> port(int number) {
    return ports.stream().filter(p -> p.port() == number).findFirst();
  }

  /** Whether the service has a routable virtual IP. */
  public boolean hasClusterIp() {
    return !clusterIp.isEmpty() && !"None".equals(clusterIp);
  }

  /**
   * One port of a Service.
   *
   * @param name the port name, empty when the service has one unnamed port
   * @param port the service port number
   * @param targetPortNumber the container port, 0 when given by name
   * @param targetPortName the container port's name, empty when given by number
   * @param protocol the application protocol
   */
  public record ServicePort(
      String name, int port, int targetPortNumber, String targetPortName, Protocol protocol) {

    public ServicePort {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(targetPortName, "targetPortName");
      Objects.requireNonNull(protocol, "protocol");
    }
  }
}
