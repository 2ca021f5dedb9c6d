package dev.mizzen.ingest.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An Istio DestinationRule: policies and subsets for one host.
 *
 * @param host the service host, as written (a short name is relative to the rule's namespace)
 * @param subsets named groups of endpoints, chosen by labels
 * @param exportTo namespaces the rule is visible to; empty means all
 */
public record DestinationRuleSpec(String host, List<Subset> subsets, List<String> exportTo)
    implements Spec {

  public DestinationRuleSpec {
    Objects.requireNonNull(host, "host");
    subsets = List.copyOf(subsets);
    exportTo = List.copyOf(exportTo);
  }

  public Optional<Subset> subset(String name) {
    return subsets.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  /**
   * A named subset of a service's endpoints.
   *
   * @param name the subset's name
   * @param labels the labels its endpoints' pods must carry
   */
  public record Subset(String name, Map<String, String> labels) {
    public Subset {
      Objects.requireNonNull(name, "name");
      labels = Map.copyOf(labels);
    }
  }
}
