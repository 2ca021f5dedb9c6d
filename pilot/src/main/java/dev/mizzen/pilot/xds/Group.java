package dev.mizzen.pilot.xds;

import dev.mizzen.pilot.generate.GroupKey;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/** The proxies of one shape and the snapshot they share. */
final class Group {
  final GroupKey key;
  final Set<ProxyConnection> members = ConcurrentHashMap.newKeySet();
  volatile GroupSnapshot snapshot;

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
}
