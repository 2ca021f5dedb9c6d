package dev.mizzen.pilot.push;

import dev.mizzen.ingest.model.ServiceSpec;
import dev.mizzen.ingest.model.ServiceSpec.ServicePort;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A service of the mesh with its endpoints per port.
 *
 * @param hostname its fully qualified name
 * @param namespace its namespace
 * @param name its name
 * @param spec the Service as written
 * @param endpoints ready endpoints per service port number
 */
public record MeshService(
    String hostname,
    String namespace,
    String name,
    ServiceSpec spec,
    Map<Integer, List<Endpoint>> endpoints) {

  public MeshService {
    Objects.requireNonNull(hostname);
    Objects.requireNonNull(namespace);
    Objects.requireNonNull(name);
    Objects.requireNonNull(spec);
    endpoints = Map.copyOf(endpoints);
  }

  public List<ServicePort> ports() {
    return spec.ports();
  }

  public List<Endpoint> endpoints(int port) {
    return endpoints.getOrDefault(port, List.of());
  }
}
