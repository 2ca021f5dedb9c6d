package dev.mizzen.bench;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One copy of each list of resource names the streams ask for, shared by every stream that asks for
 * the same. Proxies of one shape are sent the same clusters, and each stream kept its own list and
 * set of every EDS name it asked for: 3,000 names times thousands of streams is gigabytes of the
 * load generator's heap, and its collector's time on the cores the control plane uses.
 */
final class SharedNames {
  private final Map<List<String>, List<String>> lists = new ConcurrentHashMap<>();
  private final Map<List<String>, Set<String>> sets = new ConcurrentHashMap<>();
  private final Map<Map<String, ?>, Map<String, ?>> maps = new ConcurrentHashMap<>();

  /** The shared, immutable copy of {@code names}; the argument must not change afterwards. */
  List<String> list(List<String> names) {
    return lists.computeIfAbsent(names, List::copyOf);
  }

  /** The shared set of {@code names}. */
  Set<String> set(List<String> names) {
    return sets.computeIfAbsent(names, Set::copyOf);
  }

  /**
   * The shared copy of {@code held}, what an incremental stream holds of a type (its clusters' EDS
   * names, its listeners' route names); the argument must be immutable.
   */
  @SuppressWarnings("unchecked")
  <V> Map<String, V> map(Map<String, V> held) {
    return (Map<String, V>) maps.computeIfAbsent(held, m -> m);
  }
}
