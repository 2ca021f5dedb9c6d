package dev.mizzen.ingest.model;

import java.util.List;
import java.util.Objects;

/**
 * A Kubernetes Endpoints object: the addresses behind the Service of the same name.
 *
 * @param subsets groups of addresses sharing a set of ports
 */
public record EndpointsSpec(List<Subset> subsets) implements Spec {

  public EndpointsSpec {
    subsets = List.copyOf(subsets);
  }

  /**
   * Addresses that share ports.
   *
   * @param addresses ready addresses
   * @param notReadyAddresses addresses that are not ready
   * @param ports the ports every address listens on
   */
  public record Subset(List<Address> addresses, List<Address> notReadyAddresses, List<Port> ports) {
    public Subset {
      addresses = List.copyOf(addresses);
      notReadyAddresses = List.copyOf(notReadyAddresses);
      ports = List.copyOf(ports);
    }
  }

  /**
   * One endpoint address.
   *
   * @param ip the IP address
   * @param podName the Pod it points to (targetRef), empty when it points to none
   */
  public record Address(String ip, String podName) {
    public Address {
      Objects.requireNonNull(ip, "ip");
      Objects.requireNonNull(podName, "podName");
    }
  }

  /**
   * One endpoint port.
   *
   * @param name the name matching the Service port's name, empty when unnamed
   * @param port the port number
   */
  public record Port(String name, int port) {
    public Port {
      Objects.requireNonNull(name, "name");
    }
  }
}
