package dev.mizzen.ingest.store;

import dev.mizzen.ingest.model.Kind;
import dev.mizzen.ingest.model.ObjectRef;
import java.util.HashSet;
import java.util.Set;

/**
 * What one or more store updates touched.
 *
 * @param objects accepted objects added, changed or removed
 * @param refusalsChanged whether the set of refused objects changed
 */
public record ConfigChange(Set<ObjectRef> objects, boolean refusalsChanged) {

  public ConfigChange {
    objects = Set.copyOf(objects);
  }

  public static ConfigChange none() {
    return new ConfigChange(Set.of(), false);
  }

  public boolean isEmpty() {
    return objects.isEmpty() && !refusalsChanged;
  }

  /** Whether an object of {@code kind} was touched. */
  public boolean touches(Kind<?> kind) {
    return objects.stream().anyMatch(r -> r.kind() == kind);
  }

  /** Both changes at once, as the debounce merges them. */
  public ConfigChange merge(ConfigChange other) {
    Set<ObjectRef> all = new HashSet<>(objects);
    all.addAll(other.objects);
    return new ConfigChange(all, refusalsChanged || other.refusalsChanged);
  }
}
