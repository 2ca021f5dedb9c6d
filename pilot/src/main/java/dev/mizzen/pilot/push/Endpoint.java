package dev.mizzen.pilot.push;

import java.util.Map;
import java.util.Objects;

/**
 * One address behind a service port.
 *
 * @param ip the address (for DNS ServiceEntries, a name the proxy resolves)
 * @param port the port the workload listens on
 * @param labels the labels of the pod (or ServiceEntry endpoint) behind it, for subset selection
 * @param podName the pod's name, empty when the address points to none
 * @param serviceAccount the service account it runs as, empty when unknown
 * @param locality "region/zone/subzone", empty when unknown
 * @param weight its share of the load, 0 for the default
 */
public record Endpoint(
    String ip,
    int port,
    Map<String, String> labels,
    String podName,
    String serviceAccount,
    String locality,
    int weight) {
  public Endpoint {
    Objects.requireNonNull(ip);
    labels = Map.copyOf(labels);
    Objects.requireNonNull(podName);
    Objects.requireNonNull(serviceAccount);
    Objects.requireNonNull(locality);
  }

  public Endpoint(String ip, int port, Map<String, String> labels, String podName) {
    this(ip, port, labels, podName, "", "", 0);
  }

  /** Whether the pod carries every one of {@code selector}'s labels. */
  public boolean matches(Map<String, String> selector) {
    return labels.entrySet().containsAll(selector.entrySet());
  }
}
