package dev.mizzen.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DeltaSubscriptionsTest {
  @Test
  void aResponseAddsAndReplacesByNameAndRemovesWhatItNames() {
    Map<String, String> held = Map.of("a", "eds-a", "b", "eds-b", "c", "");

    Map<String, String> next =
        DeltaSubscriptions.apply(held, Map.of("b", "eds-b2", "d", "eds-d"), List.of("a", "x"));

    assertThat(next).isEqualTo(Map.of("b", "eds-b2", "c", "", "d", "eds-d"));
    assertThat(held).as("what was held is left as it was").hasSize(3).containsKey("a");
    assertThat(DeltaSubscriptions.apply(held, Map.of(), List.of())).isSameAs(held);
  }

  @Test
  void subscribesToWhatIsNewlyWantedAndUnsubscribesFromWhatIsNoLonger() {
    DeltaSubscriptions.Change first = DeltaSubscriptions.change(List.of(), List.of("b", "a"));
    assertThat(first.subscribe()).containsExactly("a", "b");
    assertThat(first.unsubscribe()).isEmpty();

    DeltaSubscriptions.Change next =
        DeltaSubscriptions.change(List.of("a", "b", "c"), Set.of("c", "d", "b"));
    assertThat(next.subscribe()).containsExactly("d");
    assertThat(next.unsubscribe()).containsExactly("a");
    assertThat(next.isEmpty()).isFalse();

    assertThat(DeltaSubscriptions.change(List.of("a", "b"), List.of("b", "a")).isEmpty()).isTrue();
  }

  @Test
  void theEdsNamesOfTheClustersHeldAndTheRouteNamesOfTheListeners() {
    // "" is a cluster not of type EDS; two clusters may share an EDS name.
    assertThat(DeltaSubscriptions.names(List.of("b", "", "a", "b"))).containsExactly("a", "b");
    assertThat(
            DeltaSubscriptions.union(
                List.of(List.of("8080", "9090"), List.of(), List.of("8080", "http.80"))))
        .containsExactly("8080", "9090", "http.80");
  }
}
