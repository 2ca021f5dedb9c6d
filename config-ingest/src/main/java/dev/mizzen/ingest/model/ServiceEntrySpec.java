package dev.mizzen.ingest.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An Istio ServiceEntry: services the mesh's registry does not have, inside or outside the mesh.
 *
 * @param hosts the hosts, taken as written (Istio does not qualify short names here)
 * @param addresses virtual IPs or CIDR blocks of the service
 * @param ports its ports
 * @param external whether the service is outside the mesh (MESH_EXTERNAL: no mutual TLS)
 * @param resolution how endpoints are found
 * @param endpoints the endpoints of STATIC and DNS services
 * @param exportTo namespaces the service is visible to; empty means all
 * @param subjectAltNames names the servers' certificates must carry
 */
public record ServiceEntrySpec(
    List<String> hosts,
    List<String> addresses,
    List<Port> ports,
    boolean external,
    Resolution resolution,
    List<WorkloadEndpoint> endpoints,
    List<String> exportTo,
    List<String> subjectAltNames)
    implements Spec {

  public ServiceEntrySpec {
    hosts = List.copyOf(hosts);
    addresses = List.copyOf(addresses);
    ports = List.copyOf(ports);
    Objects.requireNonNull(resolution);
    endpoints = List.copyOf(endpoints);
    exportTo = List.copyOf(exportTo);
    subjectAltNames = List.copyOf(subjectAltNames);
  }

  /** How the proxy finds the endpoints of the service. */
  public enum Resolution {
    /** It does not: connections go where the client sent them. */
    NONE,
    /** They are the endpoints written. */
    STATIC,
    /** It resolves the endpoints' names (or the host) and uses every address. */
    DNS,
    /** It resolves the name and uses one address at a time. */
    DNS_ROUND_ROBIN
  }

  /**
   * A port of the service.
   *
   * @param number the port number
   * @param name its name
   * @param protocol its protocol
   * @param targetPort the endpoints' port, 0 for the same number
   */
  public record Port(int number, String name, Protocol protocol, int targetPort) {
    public Port {
      Objects.requireNonNull(name);
      Objects.requireNonNull(protocol);
    }
  }

  /**
   * One endpoint.
   *
   * @param address its IP address, or a DNS name for DNS resolution
   * @param ports port name to the endpoint's port number, for the ports that differ
   * @param labels its labels, for subsets
   * @param locality "region/zone/subzone", or empty
   * @param weight its share of the load, 0 for the default
   * @param serviceAccount the service account it runs as, or empty
   */
  public record WorkloadEndpoint(
      String address,
      Map<String, Integer> ports,
      Map<String, String> labels,
      String locality,
      int weight,
      String serviceAccount) {
    public WorkloadEndpoint {
      Objects.requireNonNull(address);
      ports = Map.copyOf(ports);
      labels = Map.copyOf(labels);
      Objects.requireNonNull(locality);
      Objects.requireNonNull(serviceAccount);
    }
  }
}
