package dev.mizzen.bench;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;

/**
 * P Envoy-like streams against one control plane, each on a connection of its own as each proxy
 * has. What every proxy needs is kept per stream; nothing the generator does grows with the square
 * of the proxies or gives a stream a thread: the connections share gRPC's one default event loop
 * group (two threads a core) and the responses are handled on four threads, so that ten thousand
 * proxies are ten thousand sockets and not ten thousand threads on the control plane's cores.
 */
final class Streams implements AutoCloseable {
  private final List<ManagedChannel> channels = new ArrayList<>();
  private final List<ProxyStream> streams = new ArrayList<>();
  private final ExecutorService executor = Executors.newFixedThreadPool(4);
  private final ExecutorService slowExecutor = Executors.newCachedThreadPool();
  private final SharedNames names = new SharedNames();
  private final int slow;

  private final int port;
  private final int namespaces;
  private final ServedRules rules;
  private final boolean delta;

  /**
   * @param delta whether the streams speak incremental (delta) ADS, as Envoy does by default since
   *     Istio 1.22, rather than state of the world
   */
  Streams(int port, int count, int slow, int namespaces, ServedRules rules, boolean delta) {
    this.slow = slow;
    this.port = port;
    this.namespaces = namespaces;
    this.rules = rules;
    this.delta = delta;
    for (int i = 0; i < count; i++) {
      boolean isSlow = i >= count - slow;
      channels.add(channel(isSlow));
      streams.add(stream(i, isSlow, i == 0));
    }
  }

  private ProxyStream stream(int i, boolean isSlow, boolean keepResponses) {
    long delay = isSlow ? 200 : 0;
    return delta
        ? new DeltaEnvoyLikeStream(node(i), i % namespaces, delay, keepResponses, rules, names)
        : new EnvoyLikeStream(node(i), i % namespaces, delay, keepResponses, rules, names);
  }

  private ManagedChannel channel(boolean slow) {
    return NettyChannelBuilder.forAddress("127.0.0.1", port)
        .usePlaintext()
        .maxInboundMessageSize(512 * 1024 * 1024)
        .executor(slow ? slowExecutor : executor)
        .build();
  }

  private Node node(int i) {
    String ns = MeshGenerator.namespace(i % namespaces);
    return Node.newBuilder()
        .setId(
            "sidecar~10.200."
                + (i / 250)
                + "."
                + (i % 250)
                + "~proxy-"
                + i
                + "."
                + ns
                + "~"
                + ns
                + ".svc.cluster.local")
        .setMetadata(
            Struct.newBuilder()
                .putFields("NAMESPACE", Value.newBuilder().setStringValue(ns).build()))
        .build();
  }

  int size() {
    return streams.size();
  }

  /**
   * Ends stream {@code i} and its connection, and opens it again on a new one, as a proxy whose
   * connection broke does; returns the new stream, started.
   */
  ProxyStream reconnect(int i) throws InterruptedException {
    streams.get(i).close();
    channels.get(i).shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    boolean isSlow = i >= streams.size() - slow;
    ManagedChannel channel = channel(isSlow);
    ProxyStream s = stream(i, isSlow, false);
    channels.set(i, channel);
    streams.set(i, s);
    s.start(channel);
    return s;
  }

  List<ProxyStream> fast() {
    return streams.subList(0, streams.size() - slow);
  }

  /** Responses received by every fast stream together, by type. */
  Map<String, Long> responses() {
    Map<String, Long> all = new TreeMap<>();
    for (ProxyStream s : fast()) {
      s.responsesByType().forEach((k, v) -> all.merge(k, v, Long::sum));
    }
    return all;
  }

  /**
   * Opens every stream and waits until each fast one has acknowledged every type; the control plane
   * {@code pid}'s CPU and this process's are taken over the same window.
   */
  Phase measure(String name, long pid, int timeoutSeconds, Callable<Long> heap) throws Exception {
    CpuUse.Window cpu = CpuUse.start(pid);
    long start = System.nanoTime();
    for (int i = 0; i < streams.size(); i++) {
      streams.get(i).start(channels.get(i));
    }
    Bench.log(
        "%s: %d streams opened in %.3f s", name, streams.size(), (System.nanoTime() - start) / 1e9);
    long deadline = start + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    for (ProxyStream s : fast()) {
      s.ready().await(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }
    double all = (System.nanoTime() - start) / 1e9;
    CpuUse used = cpu.stop();
    List<Double> ready = new ArrayList<>();
    long bytes = 0;
    for (ProxyStream s : fast()) {
      if (s.readyAfterNanos() > 0) {
        ready.add(s.readyAfterNanos() / 1e9);
      } else if (s.error() != null) {
        Bench.log("%s: a stream failed: %s", name, s.error());
      }
      bytes += s.bytes();
    }
    Bench.log(
        "%s: load generator has %d threads for %d streams",
        name, ManagementFactory.getThreadMXBean().getThreadCount(), streams.size());
    double[] sorted = ready.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return new Phase(
        name, sorted.length, all, sorted, bytes, ProcessStats.of(pid), heap.call(), used);
  }

  /** Writes what the first stream was last sent, for the baseline to serve. */
  void capture(Path file) throws IOException {
    try (OutputStream o = Files.newOutputStream(file)) {
      for (DiscoveryResponse r : streams.get(0).lastResponses().values()) {
        r.writeDelimitedTo(o);
      }
    }
  }

  /**
   * Changes the config and measures, per affected stream, when a new route configuration arrives;
   * {@code affected} tests a stream's namespace index. What every stream was pushed is counted, so
   * a push to an unaffected proxy shows in the report; the CPU of the control plane {@code pid} and
   * of this process are taken from the change to the last affected proxy's new routes.
   */
  Convergence convergeAfter(
      Callable<Void> change, IntPredicate affected, long pid, int timeoutSeconds) throws Exception {
    List<Map<String, Long>> before = new ArrayList<>();
    List<CountDownLatch> latches = new ArrayList<>();
    List<ProxyStream> waitedFor = new ArrayList<>();
    for (ProxyStream s : fast()) {
      before.add(s.responsesByType());
      if (!affected.test(s.namespaceIndex())) {
        continue;
      }
      waitedFor.add(s);
      // Only this change happens now: any new route version carries it (for a delta stream the
      // response's system_version_info, which Mizzen sets to the version of the type's config the
      // response was made from). Comparing versions keeps the load generator from parsing
      // thousands of route configurations on the same cores.
      latches.add(s.expect(ProxyStream.RDS, s.lastVersion(ProxyStream.RDS)));
    }
    CpuUse.Window cpu = CpuUse.start(pid);
    long start = System.nanoTime();
    change.call();
    long deadline = start + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    List<Double> seconds = new ArrayList<>();
    int missed = 0;
    for (int i = 0; i < latches.size(); i++) {
      if (latches.get(i).await(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        seconds.add((waitedFor.get(i).awaitedAtNanos() - start) / 1e9);
      } else {
        missed++;
      }
    }
    CpuUse used = cpu.stop();
    // Let stragglers of other types show, if any were (wrongly) pushed.
    Thread.sleep(500);
    Map<String, Long> pushed = new TreeMap<>();
    for (int i = 0; i < fast().size(); i++) {
      Map<String, Long> now = fast().get(i).responsesByType();
      for (var e : now.entrySet()) {
        long delta = e.getValue() - before.get(i).getOrDefault(e.getKey(), 0L);
        if (delta > 0) {
          pushed.merge(e.getKey().substring(e.getKey().lastIndexOf('.') + 1), delta, Long::sum);
        }
      }
    }
    return Convergence.of(
        seconds.stream().mapToDouble(Double::doubleValue).sorted().toArray(), missed, pushed, used);
  }

  @Override
  public void close() throws InterruptedException {
    streams.forEach(ProxyStream::close);
    for (ManagedChannel c : channels) {
      c.shutdownNow();
    }
    for (ManagedChannel c : channels) {
      c.awaitTermination(5, TimeUnit.SECONDS);
    }
    executor.shutdownNow();
    slowExecutor.shutdownNow();
  }
}
