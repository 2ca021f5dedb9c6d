package dev.mizzen.envoyrules;

import java.util.Objects;

/**
 * One of Envoy's validation rules that a resource breaks: Envoy would refuse (NACK) the resource.
 *
 * @param resourceType the resource's message name, e.g. {@code Cluster}
 * @param resourceName its name ({@code name}, or {@code cluster_name} of a load assignment)
 * @param path the offending field from the resource's root, e.g. {@code
 *     filter_chains[0].filters[1].typed_config(HttpConnectionManager).http_filters[2].name}
 * @param rule what the field breaks, in PGV's words
 */
public record RuleViolation(String resourceType, String resourceName, String path, String rule) {
  public RuleViolation {
    Objects.requireNonNull(resourceType, "resourceType");
    Objects.requireNonNull(resourceName, "resourceName");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(rule, "rule");
  }

  @Override
  public String toString() {
    return resourceType + " \"" + resourceName + "\": " + path + ": " + rule;
  }
}
