package dev.mizzen.ingest.store;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.ConfigError;
import dev.mizzen.ingest.model.Kind;
import dev.mizzen.ingest.model.ObjectRef;
import dev.mizzen.ingest.parse.ParseResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Holds what the sources have read, keyed by source key (a file, or one object of the API server),
 * and hands out consistent {@link ConfigSnapshot}s. Every change that alters an accepted object or
 * a refusal is reported to the listeners with the objects it touched.
 *
 * <p>When two keys hold objects of the same kind, namespace and name, the one whose key sorts first
 * wins and the other is refused as a duplicate, so the outcome never depends on the order of
 * events.
 */
public final class ConfigStore {

  private final Object lock = new Object();

  @GuardedBy("lock")
  private final NavigableMap<String, List<ParseResult>> byKey = new TreeMap<>();

  @GuardedBy("lock")
  private long version;

  @GuardedBy("lock")
  private ConfigSnapshot snapshot = ConfigSnapshot.empty();

  @GuardedBy("lock")
  private boolean dirty;

  private final List<Consumer<ConfigChange>> listeners = new CopyOnWriteArrayList<>();

  /** Registers a listener told of what each change touched; called on the writer's thread. */
  public void addListener(Consumer<ConfigChange> listener) {
    listeners.add(Objects.requireNonNull(listener));
  }

  /** Replaces everything read from {@code key} (a file, an object) with {@code results}. */
  public void replace(String key, List<ParseResult> results) {
    ConfigChange touched;
    synchronized (lock) {
      List<ParseResult> previous = byKey.put(key, List.copyOf(results));
      touched = touched(previous, results);
      if (!touched.isEmpty() || previous == null) {
        version++;
        dirty = true;
      }
    }
    notify(touched);
  }

  /** Forgets everything read from {@code key}. */
  public void remove(String key) {
    ConfigChange touched;
    synchronized (lock) {
      List<ParseResult> previous = byKey.remove(key);
      if (previous == null) {
        return;
      }
      touched = touched(previous, List.of());
      version++;
      dirty = true;
    }
    notify(touched);
  }

  /** The keys currently held, for sources that reconcile against what they last wrote. */
  public Set<String> keys() {
    synchronized (lock) {
      return Set.copyOf(byKey.keySet());
    }
  }

  /** The current state of everything held; cheap when nothing changed since the last call. */
  public ConfigSnapshot snapshot() {
    synchronized (lock) {
      if (dirty) {
        snapshot = assemble();
        dirty = false;
      }
      return snapshot;
    }
  }

  @GuardedBy("lock")
  private ConfigSnapshot assemble() {
    Map<Kind<?>, NavigableMap<String, Config<?>>> byKind = new HashMap<>();
    List<ConfigError> errors = new ArrayList<>();
    for (List<ParseResult> results : byKey.values()) {
      for (ParseResult r : results) {
        if (!r.isServed()) {
          errors.add(r.error());
          continue;
        }
        // A fail-closed stand-in is held like the object it replaces; its error travels with it.
        Config<?> c = r.config();
        NavigableMap<String, Config<?>> map =
            byKind.computeIfAbsent(c.kind(), k -> new TreeMap<>());
        Config<?> first = map.putIfAbsent(ConfigSnapshot.key(c.namespace(), c.name()), c);
        if (first != null) {
          errors.add(
              new ConfigError(
                  c.origin(),
                  c.kind().name(),
                  c.namespace(),
                  c.name(),
                  "metadata.name",
                  "duplicate: the same object is already defined at " + first.origin()));
        }
      }
    }
    return new ConfigSnapshot(version, ConfigSnapshot.freeze(byKind), errors);
  }

  private void notify(ConfigChange touched) {
    if (touched.isEmpty()) {
      return;
    }
    for (Consumer<ConfigChange> l : listeners) {
      l.accept(touched);
    }
  }

  /** The objects whose accepted content or refusal differs between the two lists. */
  private static ConfigChange touched(List<ParseResult> before, List<ParseResult> after) {
    Map<Object, Object> old = index(before == null ? List.of() : before);
    Map<Object, Object> now = index(after);
    Set<ObjectRef> touched = new HashSet<>();
    boolean refusals = false;
    Set<Object> keys = new HashSet<>(old.keySet());
    keys.addAll(now.keySet());
    for (Object k : keys) {
      if (Objects.equals(old.get(k), now.get(k))) {
        continue;
      }
      if (k instanceof ObjectRef ref) {
        touched.add(ref);
      } else {
        refusals = true;
      }
    }
    return new ConfigChange(touched, refusals);
  }

  /** Accepted objects by ref, compared by metadata and spec (not by where in a file they stand). */
  private static Map<Object, Object> index(List<ParseResult> results) {
    Map<Object, Object> index = new HashMap<>();
    for (ParseResult r : results) {
      if (r.isServed()) {
        Config<?> c = r.config();
        index.put(c.ref(), Arrays.asList(c.meta(), c.spec(), c.failedClosed()));
      } else {
        ConfigError e = r.error();
        index.put(e, e);
      }
    }
    return index;
  }
}
