package dev.mizzen.pilot.xds;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends to proxies with bounded concurrency, as istiod's push queue does: at most {@code
 * concurrency} streams are being written at once, and a worker moves on once the transport has
 * taken its stream's responses (or after {@code flushLeaseMillis} for a stream whose reader stalls,
 * which then keeps only what is already queued). So a push to thousands of proxies holds at most
 * about {@code concurrency} responses in memory, and no proxy waits on a slow one.
 *
 * <p>A stream is queued at most once at a time; what changes while it waits is sent with it.
 */
final class PushQueue implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PushQueue.class);

  private final ExecutorService workers;
  private final Consumer<ProxyConnection> send;
  private final Supplier<XdsEvents> events;
  private final long flushLeaseMillis;

  /** istiod's default push concurrency: min(15 + 5 × cores, 100). */
  static int defaultConcurrency() {
    return Math.min(15 + 5 * Runtime.getRuntime().availableProcessors(), 100);
  }

  /**
   * @param send sends whatever the stream is due; returns with the responses handed to the
   *     transport
   */
  PushQueue(
      int concurrency,
      long flushLeaseMillis,
      Consumer<ProxyConnection> send,
      Supplier<XdsEvents> events) {
    this.send = send;
    this.events = events;
    this.flushLeaseMillis = flushLeaseMillis;
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            concurrency,
            concurrency,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            new ThreadFactoryBuilder().setNameFormat("mizzen-send").setDaemon(true).build());
    pool.allowCoreThreadTimeOut(true);
    this.workers = pool;
  }

  /**
   * Makes sure the stream's due responses go out soon. The first call since the stream was last
   * sent to queues it; later ones only count, and the worker sending to it goes round again for
   * them, so no call is ever left without a send after it.
   */
  void schedule(ProxyConnection conn) {
    if (conn.due.getAndIncrement() > 0) {
      return;
    }
    long queuedAt = System.nanoTime();
    try {
      workers.execute(() -> run(conn, queuedAt));
    } catch (RejectedExecutionException e) {
      // Closing: nothing is sent any more.
      conn.due.set(0);
    }
  }

  private void run(ProxyConnection conn, long queuedAt) {
    events.get().dequeued(conn, System.nanoTime() - queuedAt);
    int seen = 0;
    try {
      do {
        seen = conn.due.get();
        send.accept(conn);
        if (!conn.handle().awaitReady(flushLeaseMillis)) {
          log.debug("stream {} is slow to read; moving on", conn.streamId());
          events.get().writeTimedOut(conn);
        }
        // What was counted before the send is done; anything counted since, the loop sends.
      } while (conn.due.addAndGet(-seen) > 0);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      conn.due.set(0);
    } catch (RuntimeException e) {
      log.error("sending to stream {} failed", conn.streamId(), e);
      // Queued again for what became due meanwhile, if anything did.
      if (conn.due.addAndGet(-seen) > 0) {
        conn.due.set(0);
        schedule(conn);
      }
    }
  }

  @Override
  public void close() {
    workers.shutdownNow();
  }
}
