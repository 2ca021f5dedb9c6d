package dev.mizzen.ingest.debounce;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BinaryOperator;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Merges bursts of changes into one action, as istiod's debounce does: the action runs once the
 * changes have been quiet for {@code quiet}, or at the latest {@code max} after the first pending
 * change, and never twice at once. Changes arriving while the action runs wait for the next one.
 *
 * @param <T> the change type; {@code merge} combines two changes into one
 */
public final class Debouncer<T> implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Debouncer.class);

  private final long quietNanos;
  private final Function<T, Duration> maxFor;
  private final BinaryOperator<T> merge;
  private final Consumer<Debounced<T>> action;
  private final LongSupplier clock;
  private final ScheduledExecutorService executor;
  private final Object lock = new Object();

  @GuardedBy("lock")
  private T pending;

  @GuardedBy("lock")
  private long firstAt;

  @GuardedBy("lock")
  private long lastAt;

  @GuardedBy("lock")
  private int merged;

  @GuardedBy("lock")
  private boolean scheduled;

  /**
   * What the action receives.
   *
   * @param change all changes since the last action, merged
   * @param events how many changes were merged
   * @param waitedNanos time from the first of them to the start of the action
   */
  public record Debounced<T>(T change, int events, long waitedNanos) {}

  public Debouncer(
      String name,
      Duration quiet,
      Duration max,
      BinaryOperator<T> merge,
      Consumer<Debounced<T>> action) {
    this(name, quiet, change -> max, merge, action);
  }

  /**
   * @param max the longest the pending changes may wait, decided by what they are (merged): some
   *     changes are worth acting on sooner while others keep coming
   */
  public Debouncer(
      String name,
      Duration quiet,
      Function<T, Duration> max,
      BinaryOperator<T> merge,
      Consumer<Debounced<T>> action) {
    this.quietNanos = quiet.toNanos();
    this.maxFor = Objects.requireNonNull(max);
    this.merge = Objects.requireNonNull(merge);
    this.action = Objects.requireNonNull(action);
    this.clock = System::nanoTime;
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            new ThreadFactoryBuilder().setNameFormat(name).setDaemon(true).build());
  }

  /** Adds a change; the action will see it merged with the others. */
  public void submit(T change) {
    synchronized (lock) {
      long now = clock.getAsLong();
      if (pending == null) {
        pending = change;
        firstAt = now;
        merged = 1;
      } else {
        pending = merge.apply(pending, change);
        merged++;
      }
      lastAt = now;
      if (!scheduled) {
        scheduled = true;
        executor.schedule(this::check, quietNanos, TimeUnit.NANOSECONDS);
      }
    }
  }

  private void check() {
    Debounced<T> ready;
    synchronized (lock) {
      scheduled = false;
      if (pending == null) {
        return;
      }
      long now = clock.getAsLong();
      long quietUntil = lastAt + quietNanos;
      long maxUntil = firstAt + maxFor.apply(pending).toNanos();
      if (now < quietUntil && now < maxUntil) {
        scheduled = true;
        executor.schedule(this::check, Math.min(quietUntil, maxUntil) - now, TimeUnit.NANOSECONDS);
        return;
      }
      ready = new Debounced<>(pending, merged, now - firstAt);
      pending = null;
      merged = 0;
    }
    try {
      action.accept(ready);
    } catch (RuntimeException e) {
      log.error("debounced action failed; later changes will retry", e);
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
