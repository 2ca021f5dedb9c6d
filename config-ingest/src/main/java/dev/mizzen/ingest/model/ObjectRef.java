package dev.mizzen.ingest.model;

import java.util.Comparator;
import java.util.Objects;

/**
 * Names one configuration object. Cluster-scoped kinds have an empty namespace.
 *
 * @param kind the object's kind
 * @param namespace its namespace, empty for cluster-scoped kinds
 * @param name its name
 */
public record ObjectRef(Kind<?> kind, String namespace, String name)
    implements Comparable<ObjectRef> {

  private static final Comparator<ObjectRef> ORDER =
      Comparator.comparing((ObjectRef r) -> r.kind().name())
          .thenComparing(ObjectRef::namespace)
          .thenComparing(ObjectRef::name);

  public ObjectRef {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
  }

  /** "namespace/name", or "name" for cluster-scoped objects. */
  public String qualifiedName() {
    return namespace.isEmpty() ? name : namespace + "/" + name;
  }

  @Override
  public int compareTo(ObjectRef other) {
    return ORDER.compare(this, other);
  }

  @Override
  public String toString() {
    return kind.name() + " " + qualifiedName();
  }
}
