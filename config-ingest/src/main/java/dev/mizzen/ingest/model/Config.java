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
 * @param failedClosed why the object as written was refused, when {@code spec} is the fail-closed
 *     stand-in served in its place (security kinds only); null when the object was read as written
 * @param <S> the spec type
 */
public record Config<S extends Spec>(
    ObjectRef ref, Meta meta, S spec, String origin, JsonNode source, ConfigError failedClosed) {

  /** An object read as written. */
  public Config(ObjectRef ref, Meta meta, S spec, String origin, JsonNode source) {
    this(ref, meta, spec, origin, source, null);
  }

  public Config {
    Objects.requireNonNull(ref, "ref");
    Objects.requireNonNull(meta, "meta");
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(origin, "origin");
    if (!ref.kind().specType().isInstance(spec)) {
      throw new IllegalArgumentException(ref + " cannot hold a " + spec.getClass().getSimpleName());
    }
  }

  /** Whether {@code spec} is a fail-closed stand-in for an object that could not be read. */
  public boolean isStandIn() {
    return failedClosed != null;
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
