package dev.mizzen.pilot.cache;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
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
}
