package dev.mizzen.pilot.push;

import com.google.common.net.InetAddresses;
import dev.mizzen.ingest.model.Kind;
import dev.mizzen.ingest.model.ObjectRef;
import dev.mizzen.ingest.model.ServiceSpec.ServicePort;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A service of the mesh with its endpoints per port: a Kubernetes Service, or one host of a
 * ServiceEntry.
 *
 * @param hostname its fully qualified name (a ServiceEntry's host as written, possibly a wildcard)
 * @param namespace the namespace of the object defining it
 * @param name the Service's name, or the ServiceEntry's
 * @param source the object defining it
 * @param ports its ports
 * @param addresses its virtual IPs (or, for ServiceEntries, CIDR blocks)
 * @param selector the pod selector of a Kubernetes Service, empty otherwise
 * @param discovery how proxies find its endpoints
 * @param external whether it is outside the mesh (no mutual TLS to it)
 * @param exportTo namespaces it is visible to; empty means all
 * @param subjectAltNames names its servers' certificates carry (ServiceEntry), empty for the
 *     workloads' SPIFFE identities
 * @param endpoints endpoints per service port number
 */
public record MeshService(
    String hostname,
    String namespace,
    String name,
    ObjectRef source,
    List<ServicePort> ports,
    List<String> addresses,
    Map<String, String> selector,
    Discovery discovery,
    boolean external,
    List<String> exportTo,
    List<String> subjectAltNames,
    Map<Integer, List<Endpoint>> endpoints) {

  /** How a proxy finds the endpoints of a service. */
  public enum Discovery {
    /** Endpoints sent over EDS: Kubernetes endpoints, or a STATIC ServiceEntry's. */
    EDS,
    /** Names resolved by the proxy, every address used (STRICT_DNS). */
    DNS,
    /** A name resolved by the proxy, one address at a time (LOGICAL_DNS). */
    DNS_ROUND_ROBIN,
    /** None: connections go to their original destination. */
    PASSTHROUGH
  }

  public MeshService {
    Objects.requireNonNull(hostname);
    Objects.requireNonNull(namespace);
    Objects.requireNonNull(name);
    Objects.requireNonNull(source);
    ports = List.copyOf(ports);
    addresses = List.copyOf(addresses);
    selector = Map.copyOf(selector);
    Objects.requireNonNull(discovery);
    exportTo = List.copyOf(exportTo);
    subjectAltNames = List.copyOf(subjectAltNames);
    endpoints = Map.copyOf(endpoints);
  }

  /** Whether {@code other} is this service with, at most, other endpoints. */
  public boolean sameButEndpoints(MeshService other) {
    return hostname.equals(other.hostname)
        && namespace.equals(other.namespace)
        && name.equals(other.name)
        && source.equals(other.source)
        && ports.equals(other.ports)
        && addresses.equals(other.addresses)
        && selector.equals(other.selector)
        && discovery == other.discovery
        && external == other.external
        && exportTo.equals(other.exportTo)
        && subjectAltNames.equals(other.subjectAltNames);
  }

  /** Whether a Kubernetes Service defines it (short names and namespace forms then apply). */
  public boolean kubernetes() {
    return source.kind() == Kind.SERVICE;
  }

  public Optional<ServicePort> port(int number) {
    return ports.stream().filter(p -> p.port() == number).findFirst();
  }

  /** The first virtual IP (not a CIDR block), or empty. */
  public String vip() {
    for (String a : addresses) {
      if (InetAddresses.isInetAddress(a)) {
        return a;
      }
    }
    return "";
  }

  public boolean hasVip() {
    return !vip().isEmpty();
  }

  public List<Endpoint> endpoints(int port) {
    return endpoints.getOrDefault(port, List.of());
  }
}
