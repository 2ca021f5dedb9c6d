package dev.mizzen.pilot.cache;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The members of one shape and the snapshot they share.
 *
 * @param <K> the shape
 * @param <M> a member (to the server, a stream)
 */
public final class Group<K, M> {
  private static final Logger log = LoggerFactory.getLogger(Group.class);

  private final K key;
  private final Set<M> members = ConcurrentHashMap.newKeySet();
  private volatile GroupSnapshot<K> snapshot;

  /** Whether a builder thread has the first snapshot in hand; never waited on. */
  private final AtomicBoolean building = new AtomicBoolean();

  Group(K key) {
    this.key = key;
  }

  public K key() {
    return key;
  }

  /** The snapshot its members are served, null until the first is built. */
  public GroupSnapshot<K> snapshot() {
    return snapshot;
  }

  void install(GroupSnapshot<K> next) {
    snapshot = next;
  }

  /** The members now, a live view. */
  Set<M> members() {
    return members;
  }

  /**
   * The group's snapshot, built with {@code factory} the first time it is needed. Only members of
   * this shape wait for it; a snapshot published meanwhile is newer and wins.
   */
  GroupSnapshot<K> ensure(Function<K, GroupSnapshot<K>> factory) {
    GroupSnapshot<K> s = snapshot;
    if (s != null) {
      return s;
    }
    synchronized (this) {
      if (snapshot == null) {
        GroupSnapshot<K> built = factory.apply(key);
        if (snapshot == null) {
          snapshot = built;
        }
      }
      return snapshot;
    }
  }

  /**
   * Builds the group's snapshot on {@code builders} unless it is built or being built, and then
   * runs {@code onBuilt}. The caller does not wait: the members of this shape are served when it is
   * there, and those of every other shape meanwhile.
   */
  void ensureLater(Function<K, GroupSnapshot<K>> factory, Executor builders, Runnable onBuilt) {
    // Callers hold locks other streams need: this never waits, least of all on a build under way
    // (which holds this group's monitor for as long as the factory takes).
    if (snapshot != null || !building.compareAndSet(false, true)) {
      return;
    }
    try {
      builders.execute(
          () -> {
            try {
              ensure(factory);
            } catch (RuntimeException e) {
              log.error(
                  "building the config of proxies {} failed; the next push builds it", key, e);
            } finally {
              building.set(false);
            }
            onBuilt.run();
          });
    } catch (RejectedExecutionException e) {
      building.set(false);
    }
  }
}
