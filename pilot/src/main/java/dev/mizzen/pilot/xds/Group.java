package dev.mizzen.pilot.xds;

import dev.mizzen.pilot.generate.GroupKey;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The proxies of one shape and the snapshot they share. */
final class Group {
  private static final Logger log = LoggerFactory.getLogger(Group.class);

  final GroupKey key;
  final Set<ProxyConnection> members = ConcurrentHashMap.newKeySet();
  volatile GroupSnapshot snapshot;
  private boolean building;

  Group(GroupKey key) {
    this.key = key;
  }

  /**
   * The group's snapshot, built with {@code factory} the first time it is needed. Only proxies of
   * this shape wait for it; a snapshot a push published meanwhile is newer and wins.
   */
  GroupSnapshot ensure(Function<GroupKey, GroupSnapshot> factory) {
    GroupSnapshot s = snapshot;
    if (s != null) {
      return s;
    }
    synchronized (this) {
      if (snapshot == null) {
        GroupSnapshot built = factory.apply(key);
        if (snapshot == null) {
          snapshot = built;
        }
      }
      return snapshot;
    }
  }

  /**
   * Builds the group's snapshot on {@code builders} unless it is built or being built, and then
   * runs {@code onBuilt}. The caller does not wait: the proxies of this shape are answered when
   * it is there, and those of every other shape meanwhile.
   */
  void ensureLater(Function<GroupKey, GroupSnapshot> factory, Executor builders, Runnable onBuilt) {
    synchronized (this) {
      if (snapshot != null || building) {
        return;
      }
      building = true;
    }
    try {
      builders.execute(
          () -> {
            try {
              ensure(factory);
            } catch (RuntimeException e) {
              log.error("building the config of proxies {} failed; the next push builds it", key, e);
            } finally {
              synchronized (this) {
                building = false;
              }
            }
            onBuilt.run();
          });
    } catch (RejectedExecutionException e) {
      synchronized (this) {
        building = false;
      }
    }
  }
}
