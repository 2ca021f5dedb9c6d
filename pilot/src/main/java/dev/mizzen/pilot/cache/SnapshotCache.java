package dev.mizzen.pilot.cache;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The xDS cache: one immutable snapshot per group of members of the same shape, and the groups'
 * members. It knows nothing of streams or transports: a member is whatever the server says it is,
 * and the cache only tells the server ({@code due}) which members have a new snapshot to be served.
 * A group seen for the first time gets its snapshot from the factory it was given, built off the
 * caller's thread; a group nobody is in any longer is forgotten.
 *
 * @param <K> the shape of a member, the group's key
 * @param <M> a member
 */
public final class SnapshotCache<K, M> implements AutoCloseable {
  private final ConcurrentMap<K, Group<K, M>> groups = new ConcurrentHashMap<>();

  /** Serialises joining, leaving and moving between groups, so no member is left in a stale one. */
  private final Object membership = new Object();

  private final Function<K, GroupSnapshot<K>> factory;
  private final Consumer<M> due;

  /** Where the snapshots of groups seen for the first time are built. */
  private final ExecutorService builders;

  /**
   * @param factory builds the snapshot of a group seen for the first time
   * @param due told of each member whose group has a snapshot it has not been served
   */
  public SnapshotCache(Function<K, GroupSnapshot<K>> factory, Consumer<M> due) {
    this.factory = factory;
    this.due = due;
    this.builders =
        Executors.newFixedThreadPool(
            Math.max(2, Runtime.getRuntime().availableProcessors()),
            new ThreadFactoryBuilder()
                .setNameFormat("mizzen-group-build-%d")
                .setDaemon(true)
                .build());
  }

  /**
   * Adds {@code member} to the group of {@code key}. A new group's snapshot is built on the
   * builders; its members are {@code due} once it is there, and the caller does not wait.
   */
  public Group<K, M> join(K key, M member) {
    Group<K, M> group;
    synchronized (membership) {
      group = groups.computeIfAbsent(key, Group::new);
      group.members().add(member);
    }
    group.ensureLater(factory, builders, () -> notifyMembers(group));
    return group;
  }

  /**
   * Moves {@code member} from {@code from} to the group of {@code key}, whose snapshot is built now
   * if it has none.
   */
  public Group<K, M> move(Group<K, M> from, K key, M member) {
    synchronized (membership) {
      if (from != null) {
        leaveLocked(from, member);
      }
      Group<K, M> group = groups.computeIfAbsent(key, Group::new);
      group.ensure(factory);
      group.members().add(member);
      return group;
    }
  }

  /** Takes {@code member} out of {@code group}; the group goes when its last member does. */
  public void leave(Group<K, M> group, M member) {
    synchronized (membership) {
      leaveLocked(group, member);
    }
  }

  @GuardedBy("membership")
  private void leaveLocked(Group<K, M> group, M member) {
    group.members().remove(member);
    if (group.members().isEmpty()) {
      // Keep no snapshot for a shape nobody has; a later member gets a fresh one.
      groups.remove(group.key(), group);
    }
  }

  /** The shapes of the members now. */
  public Set<K> keys() {
    return Set.copyOf(groups.keySet());
  }

  public Optional<GroupSnapshot<K>> snapshot(K key) {
    Group<K, M> g = groups.get(key);
    return g == null ? Optional.empty() : Optional.ofNullable(g.snapshot());
  }

  /** Installs a group's new snapshot; its members are {@code due}. */
  public void publish(GroupSnapshot<K> snapshot) {
    Group<K, M> g = groups.get(snapshot.key());
    if (g == null) {
      return;
    }
    g.install(snapshot);
    notifyMembers(g);
  }

  private void notifyMembers(Group<K, M> g) {
    for (M member : g.members()) {
      due.accept(member);
    }
  }

  /** Stops building snapshots. */
  @Override
  public void close() {
    builders.shutdownNow();
  }
}
