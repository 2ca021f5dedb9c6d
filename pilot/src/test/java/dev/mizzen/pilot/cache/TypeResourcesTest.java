package dev.mizzen.pilot.cache;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import java.lang.ref.WeakReference;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Serialized responses are shared when they can be, and never kept for made-up names. */
class TypeResourcesTest {
  private static TypeResources endpoints(String... names) {
    SortedMap<String, Message> map = new TreeMap<>();
    for (String n : names) {
      map.put(n, ClusterLoadAssignment.newBuilder().setClusterName(n).build());
    }
    return new TypeResources("v1", map);
  }

  private static List<Message> select(TypeResources t, Set<String> names) {
    return names.stream()
        .map(
            n ->
                t.resources()
                    .getOrDefault(n, ClusterLoadAssignment.newBuilder().setClusterName(n).build()))
        .toList();
  }

  @Test
  void aSelectionOfResourcesThatExistIsSerializedOnceAndShared() {
    TypeResources t = endpoints("a", "b", "c");
    Set<String> names = Set.of("a", "b");
    ByteString first = t.body(TypeUrls.ENDPOINT, names, () -> select(t, names));
    ByteString second = t.body(TypeUrls.ENDPOINT, Set.of("b", "a"), () -> select(t, names));
    assertThat(second).isSameAs(first);
    assertThat(t.body(TypeUrls.ENDPOINT, TypeResources.ALL, () -> select(t, Set.of("a", "b", "c"))))
        .isSameAs(
            t.body(TypeUrls.ENDPOINT, TypeResources.ALL, () -> select(t, Set.of("a", "b", "c"))));
  }

  @Test
  void aSelectionNamingResourcesThatDoNotExistIsServedButNotKept() {
    TypeResources t = endpoints("a");
    Set<String> names = Set.of("a", "made-up");
    ByteString first = t.body(TypeUrls.ENDPOINT, names, () -> select(t, names));
    ByteString second = t.body(TypeUrls.ENDPOINT, names, () -> select(t, names));
    assertThat(second).isEqualTo(first).isNotSameAs(first);
  }

  @Test
  void everyNameOfTheTypeIsTheWholeTypeHoweverTheSetWasMade() {
    TypeResources t = endpoints("a", "b", "c");
    // A stream keeps the name set of an earlier push's resources: equal, not the same object.
    Set<String> earlier = Set.of("c", "a", "b");
    ByteString whole = t.body(TypeUrls.ENDPOINT, earlier, () -> select(t, earlier));
    // Kept as the whole type, outside the budget for partial selections.
    assertThat(t.heldBytes()).isZero();
    assertThat(
            t.body(
                TypeUrls.ENDPOINT, t.canonical(List.of("a", "b", "c")), () -> select(t, earlier)))
        .isSameAs(whole);
  }

  @Test
  void resourcesThatReplaceOthersOfTheSameNamesKeepTheirNameSet() {
    TypeResources before = endpoints("a", "b", "c");
    Set<String> all = before.canonical(List.of("a", "b", "c"));
    SortedMap<String, Message> changed = new TreeMap<>(before.resources());
    changed.put(
        "b",
        ClusterLoadAssignment.newBuilder()
            .setClusterName("b")
            .setPolicy(ClusterLoadAssignment.Policy.newBuilder().setWeightedPriorityHealth(true))
            .build());
    // The same names: a stream's earlier set is this one's, by identity.
    assertThat(
            TypeResources.after(before, "v2", changed, Set.of("b"))
                .canonical(List.of("c", "b", "a")))
        .isSameAs(all);
    assertThat(TypeResources.replacing(before, "v2", changed).canonical(List.of("a", "b", "c")))
        .isSameAs(all);
    // One name more: a set of its own.
    SortedMap<String, Message> grown = new TreeMap<>(changed);
    grown.put("d", ClusterLoadAssignment.newBuilder().setClusterName("d").build());
    TypeResources after = TypeResources.after(before, "v3", grown, Set.of("d"));
    assertThat(after.canonical(List.of("a", "b", "c", "d"))).isNotSameAs(all).hasSize(4);
    assertThat(TypeResources.replacing(before, "v3", grown).canonical(List.of("a", "b", "c", "d")))
        .isNotSameAs(all)
        .hasSize(4);
  }

  @Test
  void partialSelectionsCountAgainstTheBudgetUntilTheirResourcesAreCollected() throws Exception {
    long[] heldThen = new long[2];
    WeakReference<TypeResources> ref = withBodies(heldThen);
    long held = heldThen[0];
    long partial = heldThen[1];
    // Once the resources are gone, their bodies' bytes are given back (other cleanups only lower
    // it).
    long deadline = System.nanoTime() + 10_000_000_000L;
    while ((ref.get() != null || TypeResources.cachedBytes() > held - partial)
        && System.nanoTime() < deadline) {
      System.gc();
      Thread.sleep(20);
    }
    assertThat(TypeResources.cachedBytes()).isLessThanOrEqualTo(held - partial);
  }

  /** Resources with a partial and a whole body; their count then and the partial's size. */
  private static WeakReference<TypeResources> withBodies(long[] heldThen) {
    TypeResources t = endpoints("a", "b", "c");
    ByteString partial = t.body(TypeUrls.ENDPOINT, Set.of("a"), () -> select(t, Set.of("a")));
    assertThat(t.heldBytes()).isEqualTo(partial.size());
    // The whole type is kept outside the budget.
    t.body(TypeUrls.ENDPOINT, TypeResources.ALL, () -> select(t, Set.of("a", "b", "c")));
    assertThat(t.heldBytes()).isEqualTo(partial.size());
    heldThen[0] = TypeResources.cachedBytes();
    heldThen[1] = partial.size();
    assertThat(heldThen[0]).isGreaterThanOrEqualTo(partial.size());
    return new WeakReference<>(t);
  }

  private static SortedMap<String, Message> assignments(int n, String changedName, int port) {
    SortedMap<String, Message> m = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      String name = "c" + i;
      m.put(
          name,
          ClusterLoadAssignment.newBuilder()
              .setClusterName(name + (name.equals(changedName) ? ":" + port : ""))
              .build());
    }
    return m;
  }

  @Test
  void whatChangedIsKnownSinceEachOfTheLastVersions() {
    TypeResources v1 = new TypeResources("v1", assignments(10, "", 0));
    TypeResources v2 = TypeResources.after(v1, "v2", assignments(10, "c1", 1), Set.of("c1"));
    TypeResources v3 = TypeResources.after(v2, "v3", assignments(10, "c2", 2), Set.of("c1", "c2"));
    assertThat(v3.changedSince("v2")).contains(Set.of("c1", "c2"));
    assertThat(v3.changedSince("v1")).contains(Set.of("c1", "c2"));
    assertThat(v2.changedSince("v1")).contains(Set.of("c1"));
    assertThat(v3.changedSince("v0")).isEmpty();
    assertThat(v3.changedSince(null)).isEmpty();
    // A change of more than half the names: everything is sent, as cheap.
    TypeResources v4 =
        TypeResources.after(
            v3, "v4", assignments(10, "", 0), Set.of("c0", "c1", "c2", "c3", "c4", "c5"));
    assertThat(v4.changedSince("v3")).isEmpty();
    assertThat(v4.changedSince("v1")).isEmpty();
    // Only the last few versions are remembered.
    TypeResources v = v1;
    for (int i = 2; i < 2 + TypeResources.HISTORY + 2; i++) {
      v = TypeResources.after(v, "w" + i, assignments(10, "c1", i), Set.of("c1"));
    }
    assertThat(v.changedSince("v1")).isEmpty();
  }
}
