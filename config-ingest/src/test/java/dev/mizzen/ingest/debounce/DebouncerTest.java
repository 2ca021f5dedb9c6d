package dev.mizzen.ingest.debounce;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DebouncerTest {

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> u = new HashSet<>(a);
    u.addAll(b);
    return u;
  }

  @Test
  void mergesABurstIntoOneAction() throws Exception {
    LinkedBlockingQueue<Debouncer.Debounced<Set<String>>> actions = new LinkedBlockingQueue<>();
    try (Debouncer<Set<String>> d =
        new Debouncer<>(
            "test",
            Duration.ofMillis(100),
            Duration.ofSeconds(10),
            DebouncerTest::union,
            actions::add)) {
      d.submit(Set.of("a"));
      d.submit(Set.of("b"));
      d.submit(Set.of("a", "c"));
      var first = actions.poll(5, TimeUnit.SECONDS);
      assertThat(first).isNotNull();
      assertThat(first.change()).containsExactlyInAnyOrder("a", "b", "c");
      assertThat(first.events()).isEqualTo(3);
      assertThat(actions.poll(300, TimeUnit.MILLISECONDS)).isNull();
    }
  }

  @Test
  void actsAtTheLatestAfterMaxEvenWhileChangesKeepComing() throws Exception {
    LinkedBlockingQueue<Debouncer.Debounced<Set<String>>> actions = new LinkedBlockingQueue<>();
    try (Debouncer<Set<String>> d =
        new Debouncer<>(
            "test",
            Duration.ofMillis(200),
            Duration.ofMillis(400),
            DebouncerTest::union,
            actions::add)) {
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
      int i = 0;
      while (actions.isEmpty() && System.nanoTime() < until) {
        d.submit(Set.of("k" + i++));
        Thread.sleep(20);
      }
      // Changes never paused for 200 ms, so only the 400 ms bound can have released them.
      assertThat(actions).isNotEmpty();
    }
  }

  @Test
  void changesThatAskForASoonerBoundAreActedOnByIt() throws Exception {
    LinkedBlockingQueue<Debouncer.Debounced<Set<String>>> actions = new LinkedBlockingQueue<>();
    try (Debouncer<Set<String>> d =
        new Debouncer<>(
            "test",
            Duration.ofMillis(200),
            change ->
                change.stream().allMatch(k -> k.startsWith("e"))
                    ? Duration.ofMillis(300)
                    : Duration.ofSeconds(10),
            DebouncerTest::union,
            actions::add)) {
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
      int i = 0;
      while (actions.isEmpty() && System.nanoTime() < until) {
        d.submit(Set.of("e" + i++));
        Thread.sleep(20);
      }
      // Never quiet for 200 ms, and the common bound is 10 s: only the changes' own released them.
      assertThat(actions).isNotEmpty();
    }
  }
}
