package dev.mizzen.pilot.xds;

import dev.mizzen.pilot.generate.GroupKey;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The proxies of one shape and the snapshot they share. */
final class Group {
  final GroupKey key;
  final Set<ProxyConnection> members = ConcurrentHashMap.newKeySet();
  volatile GroupSnapshot snapshot;

  Group(GroupKey key, GroupSnapshot snapshot) {
    this.key = key;
    this.snapshot = snapshot;
  }
}
