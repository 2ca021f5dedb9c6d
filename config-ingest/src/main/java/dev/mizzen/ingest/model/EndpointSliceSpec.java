package dev.mizzen.ingest.model;

import java.util.List;
import java.util.Objects;

/**
 * A {@code discovery.k8s.io/v1} EndpointSlice: some of the endpoints of one Service. A Service has
 * as many slices as it needs (each holds at most 100 endpoints by default, one address family
 * each); together they are its endpoints, as the v1 Endpoints object was before it was cut short at
 * 1,000 addresses.
 *
 * @param serviceName the Service the slice belongs to (its {@code kubernetes.io/service-name}
 *     label), empty when it belongs to none
 * @param addressType IPv4, IPv6 or FQDN
 * @param endpoints the endpoints
 * @param ports the ports every endpoint of the slice listens on
 */
public record EndpointSliceSpec(
    String serviceName, AddressType addressType, List<Endpoint> endpoints, List<Port> ports)
    implements Spec {

  /** The label that names a slice's Service. */
  public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

  public EndpointSliceSpec {
    Objects.requireNonNull(serviceName, "serviceName");
    Objects.requireNonNull(addressType, "addressType");
    endpoints = List.copyOf(endpoints);
    ports = List.copyOf(ports);
  }

  /** The kinds of address a slice can hold. */
  public enum AddressType {
    IPv4,
    IPv6,
    FQDN
  }

  /**
   * One endpoint: a pod (usually), with its addresses of the slice's family.
   *
   * @param addresses its addresses (Kubernetes writes one)
   * @param ready whether it may take new connections ({@code conditions.ready}; absent means ready)
   * @param serving whether it answers at all, terminating or not ({@code conditions.serving};
   *     absent means as ready)
   * @param terminating whether it is shutting down ({@code conditions.terminating})
   * @param podName the Pod it points to (targetRef), empty when it points to none
   */
  public record Endpoint(
      List<String> addresses, boolean ready, boolean serving, boolean terminating, String podName) {
    public Endpoint {
      addresses = List.copyOf(addresses);
      Objects.requireNonNull(podName, "podName");
    }
  }

  /**
   * One port of the slice's endpoints.
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
