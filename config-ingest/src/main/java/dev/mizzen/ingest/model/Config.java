package dev.mizzen.ingest.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * One accepted configuration object: its name, metadata and translated spec.
 *
 * @param ref the object's identity
 * @param meta its metadata
 * @param spec its translated spec
 * @param origin where it came from: a file path, or "kubernetes"
 * @param source the spec as written, for display; null for registry kinds, which are not shown
 * @param <S> the spec type
 */
public record Config<S extends Spec>(
    ObjectRef ref, Meta meta, S spec, String origin, JsonNode source) {

  public Config {
    Objects.requireNonNull(ref, "ref");
    Objects.requireNonNull(meta, "meta");
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(origin, "origin");
    if (!ref.kind().specType().isInstance(spec)) {
      throw new IllegalArgumentException(ref + " cannot hold a " + spec.getClass().getSimpleName());
    }
  }

  public Kind<?> kind() {
    return ref.kind();
  }

  public String namespace() {
    return ref.namespace();
  }

  public String name() {
    return ref.name();
  }
}
