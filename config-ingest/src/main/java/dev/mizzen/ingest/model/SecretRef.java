package dev.mizzen.ingest.model;

import java.util.Comparator;
import java.util.Objects;

/**
 * Names a Kubernetes Secret that config refers to by {@code credentialName}.
 *
 * @param namespace the Secret's namespace: always the namespace of the proxy that is served it
 * @param name its name
 */
public record SecretRef(String namespace, String name) implements Comparable<SecretRef> {
  private static final Comparator<SecretRef> ORDER =
      Comparator.comparing(SecretRef::namespace).thenComparing(SecretRef::name);

  public SecretRef {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
  }

  @Override
  public int compareTo(SecretRef other) {
    return ORDER.compare(this, other);
  }

  @Override
  public String toString() {
    return namespace + "/" + name;
  }
}
