package dev.mizzen.ingest.model;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * The parts of Kubernetes object metadata the control plane uses.
 *
 * @param name the object's name
 * @param namespace its namespace, empty for cluster-scoped kinds
 * @param labels its labels
 * @param annotations its annotations
 * @param resourceVersion the API server's resource version, empty for files
 * @param generation the spec generation, 0 when unknown
 * @param creationTimestamp when it was created, {@link Instant#EPOCH} when unknown
 */
public record Meta(
    String name,
    String namespace,
    Map<String, String> labels,
    Map<String, String> annotations,
    String resourceVersion,
    long generation,
    Instant creationTimestamp) {

  public Meta {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(namespace, "namespace");
    labels = Map.copyOf(labels);
    annotations = Map.copyOf(annotations);
    Objects.requireNonNull(resourceVersion, "resourceVersion");
    Objects.requireNonNull(creationTimestamp, "creationTimestamp");
  }

  /** Metadata with only a name and namespace, for tests and generated objects. */
  public static Meta of(String namespace, String name) {
    return new Meta(name, namespace, Map.of(), Map.of(), "", 0, Instant.EPOCH);
  }

  public Meta withLabels(Map<String, String> newLabels) {
    return new Meta(
        name, namespace, newLabels, annotations, resourceVersion, generation, creationTimestamp);
  }
}
