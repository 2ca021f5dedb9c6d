package dev.mizzen.pilot.xds;

import com.google.common.collect.Interner;
import com.google.common.collect.Interners;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The resources an incremental stream's proxy holds of one type, by name and version. Immutable and
 * interned: the proxies of a group hold the same resources, and so share one instance, whatever
 * their number (thousands of proxies each holding thousands of names would otherwise hold a map
 * each). A new instance is made for each change, once per group rather than per stream where the
 * changes are alike (see {@link DeltaResponder}).
 */
final class Held {
  private static final Interner<Held> INTERNED = Interners.newWeakInterner();

  static final Held EMPTY = INTERNED.intern(new Held(Map.of()));

  private final Map<String, String> versions;
  private final int hash;

  private Held(Map<String, String> versions) {
    this.versions = versions;
    this.hash = versions.hashCode();
  }

  /** The instance holding exactly {@code versions}. */
  static Held of(Map<String, String> versions) {
    return versions.isEmpty() ? EMPTY : INTERNED.intern(new Held(Map.copyOf(versions)));
  }

  /** The version held of {@code name}, or null. */
  String version(String name) {
    return versions.get(name);
  }

  boolean contains(String name) {
    return versions.containsKey(name);
  }

  Set<String> names() {
    return versions.keySet();
  }

  int size() {
    return versions.size();
  }

  /** What is held once {@code changed} are held at their versions and {@code removed} are not. */
  Held with(Map<String, String> changed, Collection<String> removed) {
    if (changed.isEmpty() && removed.isEmpty()) {
      return this;
    }
    Map<String, String> next = new HashMap<>(versions);
    next.putAll(changed);
    removed.forEach(next::remove);
    return of(next);
  }

  /** What is held without {@code names}. */
  Held without(Collection<String> names) {
    return with(Map.of(), names);
  }

  @Override
  public boolean equals(Object o) {
    return o == this || o instanceof Held h && h.hash == hash && h.versions.equals(versions);
  }

  @Override
  public int hashCode() {
    return hash;
  }
}
