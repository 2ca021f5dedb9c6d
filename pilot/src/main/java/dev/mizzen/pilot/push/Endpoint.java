package dev.mizzen.pilot.push;

import java.util.Map;
import java.util.Objects;

/**
 * One address behind a service port.
 *
 * @param ip the address
 * @param port the port the workload listens on
 * @param labels the labels of the pod behind it, for subset selection
 * @param podName the pod's name, empty when the address points to none
 */
public record Endpoint(String ip, int port, Map<String, String> labels, String podName) {
  public Endpoint {
    Objects.requireNonNull(ip);
    labels = Map.copyOf(labels);
    Objects.requireNonNull(podName);
  }

  /** Whether the pod carries every one of {@code selector}'s labels. */
  public boolean matches(Map<String, String> selector) {
    return labels.entrySet().containsAll(selector.entrySet());
  }
}
