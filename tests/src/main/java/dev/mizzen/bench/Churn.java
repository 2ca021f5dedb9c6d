package dev.mizzen.bench;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Endpoint churn as the proxies see it: for each pod replaced, when each proxy that sees its
 * service holds the service's assignment with the new address (and so without the old one), and
 * what the assignments that changed weigh. The streams report every load assignment they are sent;
 * only the cluster name is read, and the bytes searched for the new address only for a cluster with
 * a change pending, so the load generator stays cheap.
 */
final class Churn {
  /** One pod replaced, waiting for the streams that see its service. */
  static final class Change {
    final String cluster;
    final String host;
    final byte[] newIp;
    final long startNanos;
    final int expected;
    final AtomicInteger seen = new AtomicInteger();
    final Map<ProxyStream, Boolean> by = new ConcurrentHashMap<>();
    final AtomicLong changedBytes = new AtomicLong(-1);
    final AtomicLong subsetBytes = new AtomicLong(-1);
    volatile long lastNanos;

    Change(String host, String newIp, int expected) {
      this.host = host;
      this.cluster = "outbound|8080||" + host;
      this.newIp = newIp.getBytes(StandardCharsets.US_ASCII);
      this.expected = expected;
      this.startNanos = System.nanoTime();
    }

    boolean done() {
      return seen.get() >= expected;
    }

    double seconds() {
      return (lastNanos - startNanos) / 1e9;
    }
  }

  /** Pending changes by the name of every cluster of their service (plain and subsets). */
  private final Map<String, Change> pending = new ConcurrentHashMap<>();

  private final List<Change> all = new ArrayList<>();

  /**
   * Starts waiting for {@code expected} streams to see {@code newIp} in {@code host}'s clusters.
   */
  synchronized Change expect(String host, String newIp, List<String> subsets, int expected) {
    Change c = new Change(host, newIp, expected);
    pending.put(c.cluster, c);
    for (String subset : subsets) {
      pending.put("outbound|8080|" + subset + "|" + host, c);
    }
    all.add(c);
    return c;
  }

  boolean busy(String host) {
    return pending.containsKey("outbound|8080||" + host);
  }

  /** Called by a stream for each load assignment it is sent. */
  void assignment(ProxyStream stream, ByteString value) {
    if (pending.isEmpty()) {
      return;
    }
    String cluster;
    try {
      cluster = clusterName(value.newCodedInput());
    } catch (IOException e) {
      return;
    }
    Change c = pending.get(cluster);
    if (c == null || !contains(value, c.newIp)) {
      return;
    }
    if (!cluster.equals(c.cluster)) {
      // The pod's subset's assignment changed too: counted in what the change weighs, once.
      c.subsetBytes.compareAndSet(-1, value.size());
      return;
    }
    c.changedBytes.compareAndSet(-1, value.size());
    if (c.by.putIfAbsent(stream, Boolean.TRUE) == null) {
      c.lastNanos = System.nanoTime();
      if (c.seen.incrementAndGet() >= c.expected) {
        synchronized (this) {
          pending.values().removeIf(p -> p == c);
        }
      }
    }
  }

  synchronized List<Change> changes() {
    return List.copyOf(all);
  }

  synchronized void reset() {
    pending.clear();
    all.clear();
  }

  private static String clusterName(CodedInputStream in) throws IOException {
    int tag;
    while ((tag = in.readTag()) != 0) {
      if (WireFormat.getTagFieldNumber(tag) == ClusterLoadAssignment.CLUSTER_NAME_FIELD_NUMBER) {
        return in.readStringRequireUtf8();
      }
      in.skipField(tag);
    }
    return "";
  }

  /** Whether {@code bytes} hold {@code needle}, followed by a byte that cannot continue an IP. */
  private static boolean contains(ByteString bytes, byte[] needle) {
    int n = bytes.size() - needle.length;
    outer:
    for (int i = 0; i <= n; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (bytes.byteAt(i + j) != needle[j]) {
          continue outer;
        }
      }
      int after = i + needle.length;
      if (after < bytes.size()) {
        byte b = bytes.byteAt(after);
        if ((b >= '0' && b <= '9') || b == '.') {
          continue;
        }
      }
      return true;
    }
    return false;
  }

  /**
   * What one kind of churn cost and how fast the proxies saw it.
   *
   * @param name "steady" or "burst"
   * @param changes pods replaced
   * @param seconds per change, from the change to the last proxy holding the new assignment, sorted
   * @param missed changes some proxy had not seen by the deadline
   * @param edsBytesPerChange load assignment bytes received by all proxies, per change
   * @param idealBytesPerChange the changed assignments' size times the proxies that see them, per
   *     change (the least any control plane sends)
   * @param assignmentsPerProxyChange load assignments each proxy received per change (the plain
   *     cluster's and the pod's subset's changed: 2 at best; a full push sends every one)
   * @param otherResponses responses of other types than load assignments received meanwhile
   * @param mizzenCores Mizzen's CPU seconds per second of churn
   * @param generatorCores the load generator's
   */
  record Result(
      String name,
      int changes,
      double[] seconds,
      int missed,
      double edsBytesPerChange,
      double idealBytesPerChange,
      double assignmentsPerProxyChange,
      long otherResponses,
      double mizzenCores,
      double generatorCores) {

    String table() {
      return String.format(
          Locale.ROOT,
          "Endpoint churn, %s: %d pods replaced; to the last proxy p50 %.3f s, p99 %.3f s, max %.3f s; %d missed;"
              + " load assignment bytes per change %.0f (%.2f× the changed assignments' %.0f),"
              + " %.2f assignments per proxy and change; other responses %d; CPU Mizzen %.2f cores, load generator %.2f cores%n",
          name,
          changes,
          Bench.percentile(seconds, 0.5),
          Bench.percentile(seconds, 0.99),
          seconds.length == 0 ? Double.NaN : seconds[seconds.length - 1],
          missed,
          edsBytesPerChange,
          idealBytesPerChange <= 0 ? Double.NaN : edsBytesPerChange / idealBytesPerChange,
          idealBytesPerChange,
          assignmentsPerProxyChange,
          otherResponses,
          mizzenCores,
          generatorCores);
    }

    String json() {
      return String.format(
          Locale.ROOT,
          "{\"changes\":%d,\"completed\":%d,\"missed\":%d,\"p50_s\":%.4f,\"p99_s\":%.4f,\"max_s\":%.4f,"
              + "\"eds_bytes_per_change\":%.1f,\"ideal_bytes_per_change\":%.1f,"
              + "\"assignments_per_proxy_change\":%.3f,\"other_responses\":%d,"
              + "\"mizzen_cores\":%.3f,\"generator_cores\":%.3f}",
          changes,
          seconds.length,
          missed,
          Bench.percentile(seconds, 0.5),
          Bench.percentile(seconds, 0.99),
          seconds.length == 0 ? Double.NaN : seconds[seconds.length - 1],
          edsBytesPerChange,
          idealBytesPerChange,
          assignmentsPerProxyChange,
          otherResponses,
          mizzenCores,
          generatorCores);
    }
  }
}
