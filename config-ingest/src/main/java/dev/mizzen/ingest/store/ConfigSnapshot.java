package dev.mizzen.ingest.store;

import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.ConfigError;
import dev.mizzen.ingest.model.Kind;
import dev.mizzen.ingest.model.Spec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * An immutable view of all accepted configuration objects and all refusals at one version. Objects
 * of a kind are kept sorted by namespace and name, so every reader sees them in the same order.
 */
public final class ConfigSnapshot {

  private static final ConfigSnapshot EMPTY = new ConfigSnapshot(0, Map.of(), List.of());

  private final long version;
  private final Map<Kind<?>, NavigableMap<String, Config<?>>> objects;
  private final List<ConfigError> errors;

  ConfigSnapshot(
      long version,
      Map<Kind<?>, NavigableMap<String, Config<?>>> objects,
      List<ConfigError> errors) {
    this.version = version;
    this.objects = objects;
    this.errors = List.copyOf(errors);
  }

  public static ConfigSnapshot empty() {
    return EMPTY;
  }

  /** A snapshot of exactly these objects, for tests and tools. */
  public static ConfigSnapshot of(
      long version, Collection<Config<?>> configs, List<ConfigError> errors) {
    Map<Kind<?>, NavigableMap<String, Config<?>>> byKind = new HashMap<>();
    for (Config<?> c : configs) {
      byKind.computeIfAbsent(c.kind(), k -> new TreeMap<>()).put(key(c.namespace(), c.name()), c);
    }
    return new ConfigSnapshot(version, freeze(byKind), errors);
  }

  static String key(String namespace, String name) {
    // '/' sorts before every character allowed in names, so a namespace's objects are contiguous.
    return namespace + "/" + name;
  }

  static Map<Kind<?>, NavigableMap<String, Config<?>>> freeze(
      Map<Kind<?>, NavigableMap<String, Config<?>>> byKind) {
    Map<Kind<?>, NavigableMap<String, Config<?>>> frozen = new HashMap<>();
    byKind.forEach((k, v) -> frozen.put(k, Collections.unmodifiableNavigableMap(v)));
    return Map.copyOf(frozen);
  }

  public long version() {
    return version;
  }

  /** All objects of a kind, sorted by namespace and name. */
  @SuppressWarnings("unchecked")
  public <S extends Spec> Collection<Config<S>> list(Kind<S> kind) {
    NavigableMap<String, Config<?>> map = objects.get(kind);
    if (map == null) {
      return List.of();
    }
    return (Collection<Config<S>>) (Collection<?>) map.values();
  }

  /** The objects of a kind in one namespace, sorted by name. */
  @SuppressWarnings("unchecked")
  public <S extends Spec> Collection<Config<S>> list(Kind<S> kind, String namespace) {
    NavigableMap<String, Config<?>> map = objects.get(kind);
    if (map == null) {
      return List.of();
    }
    return (Collection<Config<S>>)
        (Collection<?>) map.subMap(namespace + "/", true, namespace + "0", false).values();
  }

  @SuppressWarnings("unchecked")
  public <S extends Spec> Optional<Config<S>> get(Kind<S> kind, String namespace, String name) {
    NavigableMap<String, Config<?>> map = objects.get(kind);
    return map == null
        ? Optional.empty()
        : Optional.ofNullable((Config<S>) map.get(key(namespace, name)));
  }

  /** Every refused object, in source order. */
  public List<ConfigError> errors() {
    return errors;
  }

  /** Number of accepted objects of every kind. */
  public int size() {
    return objects.values().stream().mapToInt(Map::size).sum();
  }

  /**
   * The same snapshot with only the objects (and errors) of the namespaces the predicate admits.
   * Cluster-scoped objects are kept when their own name is admitted (a Namespace object), and
   * errors with no namespace known (a file that is not YAML) are kept.
   */
  public ConfigSnapshot restrictTo(Predicate<String> namespaces) {
    Map<Kind<?>, NavigableMap<String, Config<?>>> kept = new HashMap<>();
    objects.forEach(
        (kind, map) -> {
          NavigableMap<String, Config<?>> filtered = new TreeMap<>();
          map.forEach(
              (key, c) -> {
                String ns = kind.namespaced() ? c.namespace() : c.name();
                if (namespaces.test(ns)) {
                  filtered.put(key, c);
                }
              });
          kept.put(kind, filtered);
        });
    List<ConfigError> keptErrors = new ArrayList<>();
    for (ConfigError e : errors) {
      if (e.namespace().isEmpty() || namespaces.test(e.namespace())) {
        keptErrors.add(e);
      }
    }
    return new ConfigSnapshot(version, freeze(kept), keptErrors);
  }
}
