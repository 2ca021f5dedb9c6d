package dev.mizzen.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The bookkeeping of an incremental stream, as Envoy keeps it: what it holds of a type (each
 * response adds or replaces resources by name and removes those it names as removed), and which
 * names it asks for, changed by subscribing to the names newly wanted and unsubscribing from those
 * no longer wanted. Kept apart from the stream so that it can be tested without one.
 */
final class DeltaSubscriptions {
  private DeltaSubscriptions() {}

  /**
   * What is held after a response: {@code held} with {@code received} added or replacing what it
   * held by the same name, and the names {@code removed} gone.
   */
  static <V> Map<String, V> apply(
      Map<String, V> held, Map<String, V> received, Collection<String> removed) {
    if (received.isEmpty() && removed.isEmpty()) {
      return held;
    }
    Map<String, V> next = new HashMap<>(held);
    next.putAll(received);
    removed.forEach(next::remove);
    return Map.copyOf(next);
  }

  /**
   * A change of what a stream asks for.
   *
   * @param subscribe names newly asked for, sorted
   * @param unsubscribe names no longer asked for, sorted
   */
  record Change(List<String> subscribe, List<String> unsubscribe) {
    boolean isEmpty() {
      return subscribe.isEmpty() && unsubscribe.isEmpty();
    }
  }

  /** From asking for {@code subscribed} to asking for {@code wanted}. */
  static Change change(Collection<String> subscribed, Collection<String> wanted) {
    Set<String> was = subscribed instanceof Set<String> s ? s : new HashSet<>(subscribed);
    Set<String> now = wanted instanceof Set<String> s ? s : new HashSet<>(wanted);
    List<String> subscribe = new ArrayList<>(new TreeSet<>(wanted));
    subscribe.removeIf(was::contains);
    List<String> unsubscribe = new ArrayList<>(new TreeSet<>(subscribed));
    unsubscribe.removeIf(now::contains);
    return new Change(subscribe, unsubscribe);
  }

  /** The distinct non-empty values, sorted: the EDS names of the clusters held ("" not EDS). */
  static List<String> names(Collection<String> values) {
    Set<String> names = new TreeSet<>(values);
    names.remove("");
    return new ArrayList<>(names);
  }

  /** Every name of every list held, distinct and sorted: the route names of the listeners. */
  static List<String> union(Collection<? extends Collection<String>> values) {
    Set<String> names = new TreeSet<>();
    values.forEach(names::addAll);
    return new ArrayList<>(names);
  }
}
