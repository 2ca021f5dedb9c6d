package dev.mizzen.pilot.xds;

import dev.mizzen.testing.xds.AdsTestStream;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.RepeatedTest;

/**
 * Whatever the interleaving, every time a stream is made due a send starts after it: a request that
 * arrives while the stream's last send is finishing is never left unanswered.
 */
class PushQueueTest {
  @RepeatedTest(3)
  void everyScheduleIsFollowedByASend() throws Exception {
    int n = 4;
    AtomicLongArray made = new AtomicLongArray(n);
    AtomicLongArray seenBySend = new AtomicLongArray(n);
    try (PushQueue queue =
        new PushQueue(
            4,
            1000,
            conn -> {
              int i = (int) conn.streamId();
              seenBySend.accumulateAndGet(i, made.get(i), Math::max);
              Thread.onSpinWait();
            },
            () -> XdsEvents.NONE)) {
      List<ProxyConnection> conns = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        conns.add(
            new ProxyConnection(
                i, new StreamHandle(new InetSocketAddress("127.0.0.1", 1000 + i)), Instant.now()));
      }
      CountDownLatch done = new CountDownLatch(n);
      for (int t = 0; t < n; t++) {
        ProxyConnection conn = conns.get(t);
        int index = t;
        new Thread(
                () -> {
                  for (int i = 0; i < 200_000; i++) {
                    made.incrementAndGet(index);
                    queue.schedule(conn);
                  }
                  done.countDown();
                })
            .start();
      }
      done.await();
      for (int i = 0; i < n; i++) {
        long last = made.get(i);
        int index = i;
        AdsTestStream.await(() -> seenBySend.get(index) == last);
      }
      AdsTestStream.await(() -> conns.stream().allMatch(c -> c.due.get() == 0));
    }
  }
}
