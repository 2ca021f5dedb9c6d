package dev.mizzen.bench;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The benchmark: a generated mesh served by Mizzen (its own process) to P Envoy-like ADS streams,
 * then the same resources served to the same streams by bare java-control-plane; prints a table, a
 * JSON line and a chart of the convergence after one VirtualService change.
 */
@Command(
    name = "mizzen bench",
    mixinStandardHelpOptions = true,
    description = "Measure Mizzen against bare java-control-plane.")
public final class Bench implements Callable<Integer> {
  @Option(
      names = "--services",
      defaultValue = "1000",
      description = "Services in the mesh. Default: ${DEFAULT-VALUE}.")
  int services;

  @Option(
      names = "--namespaces",
      defaultValue = "20",
      description = "Member namespaces. Default: ${DEFAULT-VALUE}.")
  int namespaces;

  @Option(
      names = "--proxies",
      defaultValue = "2000",
      description = "ADS streams. Default: ${DEFAULT-VALUE}.")
  int proxies;

  @Option(
      names = "--pods",
      defaultValue = "4",
      description = "Pods per service. Default: ${DEFAULT-VALUE}.")
  int pods;

  @Option(
      names = "--slow-readers",
      defaultValue = "1",
      description = "Streams that read one response at a time, slowly. Default: ${DEFAULT-VALUE}.")
  int slowReaders;

  @Option(
      names = "--out",
      defaultValue = "target/bench",
      description = "Where the report goes. Default: ${DEFAULT-VALUE}.")
  Path out;

  @Option(
      names = "--mizzen-jar",
      description = "Mizzen's jar. Default: $MIZZEN_HOME/pilot/target/mizzen.jar.")
  Path mizzenJar;

  @Option(
      names = "--java-opts",
      defaultValue = "-Xmx512m -XX:+UseG1GC",
      description =
          "JVM options of Mizzen (which runs with MALLOC_ARENA_MAX=2, as the image does). Default: ${DEFAULT-VALUE}.")
  String javaOpts;

  @Option(
      names = "--baseline-java-opts",
      defaultValue = "-XX:+UseG1GC",
      description =
          "JVM options of bare java-control-plane (also with MALLOC_ARENA_MAX=2). The default leaves the heap to the JVM"
              + " (a quarter of memory): the library holds per-stream state that does not fit Mizzen's heap. Default: ${DEFAULT-VALUE}.")
  String baselineJavaOpts;

  @Option(
      names = "--warmup-changes",
      defaultValue = "20",
      description =
          "VirtualService changes made and not measured first, so that the measured ones find the code paths of a push"
              + " compiled, as in a control plane that has been running (at least one). Default: ${DEFAULT-VALUE}.")
  int warmupChanges;

  @Option(
      names = "--changes",
      defaultValue = "5",
      description =
          "VirtualService changes measured after the warm-up ones; the report pools them. Default: ${DEFAULT-VALUE}.")
  int changes;

  @Option(
      names = "--timeout",
      defaultValue = "600",
      description = "Seconds to wait for all streams. Default: ${DEFAULT-VALUE}.")
  int timeoutSeconds;

  @Option(
      names = "--churn-seconds",
      defaultValue = "60",
      description =
          "Seconds of steady endpoint churn (pods replaced, new IP, same labels) with every proxy"
              + " connected; 0 skips the churn. Default: ${DEFAULT-VALUE}.")
  int churnSeconds;

  @Option(
      names = "--churn-rate",
      defaultValue = "20",
      description = "Pods replaced per second in the steady churn. Default: ${DEFAULT-VALUE}.")
  int churnRate;

  @Option(
      names = "--churn-burst",
      defaultValue = "200",
      description =
          "Pods replaced at once after the steady churn, as when a node fails. Default: ${DEFAULT-VALUE}.")
  int churnBurst;

  @Option(
      names = "--footprint",
      description =
          "Measure only a small control plane: Mizzen on the bundled example mesh, started"
              + " --footprint-runs times under several JVM settings (one with a class-data-sharing"
              + " archive from a training run), from process start to /ready and by idle RSS.")
  boolean footprint;

  @Option(
      names = "--footprint-runs",
      defaultValue = "3",
      description = "Starts per JVM setting with --footprint. Default: ${DEFAULT-VALUE}.")
  int footprintRuns;

  @Option(
      names = "--footprint-mesh",
      description = "The mesh --footprint runs on. Default: $MIZZEN_HOME/examples/mesh.")
  Path footprintMesh;

  @Option(
      names = "--footprint-planes",
      defaultValue = "20",
      description =
          "With --footprint, control planes started at once with Mizzen's default settings and"
              + " measured together once idle (0: none). Default: ${DEFAULT-VALUE}.")
  int footprintPlanes;

  @Option(
      names = "--footprint-jvm-options",
      description =
          "Mizzen's default JVM settings for --footprint. Default: $MIZZEN_HOME/deploy/jvm.options.")
  Path footprintJvmOptions;

  @Option(names = "--skip-baseline", description = "Do not measure bare java-control-plane.")
  boolean skipBaseline;

  @Option(
      names = "--skip-scoped",
      description = "Do not measure the mesh with a namespace-scoped Sidecar per namespace.")
  boolean skipScoped;

  @Option(
      names = "--check-envoy-rules",
      description =
          "Check every resource served against Envoy's own validation rules (PGV); any violation is"
              + " written to envoy-rule-violations.txt and fails the run. Slows the streams down.")
  boolean checkEnvoyRules;

  private final ServedRules served = new ServedRules();

  public static void main(String[] args) {
    System.exit(new CommandLine(new Bench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Files.createDirectories(out);
    Path jar = MizzenProcess.jar(mizzenJar);
    if (footprint) {
      String home = System.getenv().getOrDefault("MIZZEN_HOME", ".");
      Path mesh = footprintMesh != null ? footprintMesh : Path.of(home, "examples", "mesh");
      String defaults =
          Footprint.options(
              footprintJvmOptions != null
                  ? footprintJvmOptions
                  : Path.of(home, "deploy", "jvm.options"));
      int runs = Math.max(1, footprintRuns);
      String cds = Footprint.train(jar, mesh, defaults, out, timeoutSeconds);
      List<Footprint.Row> rows =
          Footprint.measure(jar, mesh, cds, defaults, out, runs, timeoutSeconds);
      Footprint.Planes planes =
          footprintPlanes > 0
              ? Footprint.planes(
                  jar, mesh, (cds + " " + defaults).trim(), out, footprintPlanes, timeoutSeconds)
              : null;
      String table = Footprint.table(rows, planes, runs);
      String json = Footprint.json(rows, planes);
      System.out.print(table);
      System.out.println(json);
      Files.writeString(out.resolve("footprint.txt"), table);
      Files.writeString(out.resolve("footprint.json"), json + "\n");
      return rows.isEmpty() ? 1 : 0;
    }
    Path captured = out.resolve("resources.bin");
    MizzenRun unscoped = runMizzen(jar, false, captured);
    MizzenRun scoped = skipScoped ? null : runMizzen(jar, true, null);
    Phase bare = null;
    if (!skipBaseline) {
      int port = freePort();
      List<String> bcmd = new ArrayList<>(MizzenProcess.java(baselineJavaOpts));
      bcmd.addAll(
          List.of(
              "-cp",
              System.getProperty("java.class.path"),
              BareControlPlane.class.getName(),
              String.valueOf(port),
              captured.toString()));
      Process baseline =
          MizzenProcess.withEnvironment(new ProcessBuilder(bcmd)).redirectErrorStream(true).start();
      try {
        BufferedReader lines =
            new BufferedReader(
                new InputStreamReader(baseline.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = lines.readLine()) != null && !line.equals("ready")) {
          // startup output
        }
        try (Streams streams =
            new Streams(port, proxies, slowReaders, namespaces, checkEnvoyRules ? served : null)) {
          bare = streams.measure("java-control-plane", baseline.pid(), timeoutSeconds, () -> -1L);
        }
      } finally {
        baseline.destroy();
        baseline.waitFor(10, TimeUnit.SECONDS);
      }
    }
    Report report =
        new Report(
            services,
            namespaces,
            proxies,
            slowReaders,
            javaOpts,
            baselineJavaOpts,
            unscoped.phase(),
            bare,
            unscoped.convergence(),
            unscoped.idleBytesPerProxy(),
            scoped == null ? null : scoped.phase(),
            scoped == null ? null : scoped.convergence(),
            unscoped.churn());
    System.out.print(report.table());
    System.out.println(report.json());
    Files.writeString(out.resolve("report.txt"), report.table());
    Files.writeString(out.resolve("report.json"), report.json() + "\n");
    Files.writeString(out.resolve("convergence.svg"), report.svg());
    log("report, JSON and chart written to %s", out);
    boolean ok =
        unscoped.phase().proxies() >= proxies - slowReaders && unscoped.convergence().missed() == 0;
    if (scoped != null) {
      ok &= scoped.phase().proxies() >= proxies - slowReaders && scoped.convergence().missed() == 0;
    }
    List<String> violations = served.violations();
    if (!violations.isEmpty()) {
      Files.writeString(
          out.resolve("envoy-rule-violations.txt"), String.join("\n", violations) + "\n");
      log(
          "%d resources served break Envoy's validation rules, listed in %s",
          violations.size(), out.resolve("envoy-rule-violations.txt"));
      ok = false;
    }
    return ok ? 0 : 1;
  }

  /** One Mizzen process on the generated mesh, measured. */
  record MizzenRun(
      Phase phase, Convergence convergence, long idleBytesPerProxy, List<Churn.Result> churn) {}

  private MizzenRun runMizzen(Path jar, boolean sidecars, Path capture) throws Exception {
    String name = sidecars ? "mizzen-scoped" : "mizzen";
    Path meshDir = out.resolve(sidecars ? "mesh-scoped" : "mesh");
    MeshGenerator mesh = new MeshGenerator(services, namespaces, pods);
    mesh.write(meshDir, sidecars);
    log(
        "%s: %d services in %d namespaces, %d pods each%s, in %s",
        name,
        services,
        namespaces,
        pods,
        sidecars ? ", a namespace-scoped Sidecar per namespace" : "",
        meshDir);
    try (MizzenProcess mizzen =
        MizzenProcess.start(jar, meshDir, javaOpts, out.resolve(name + ".log"), timeoutSeconds)) {
      ProcessStats before = ProcessStats.of(mizzen.pid());
      try (Streams streams =
          new Streams(
              mizzen.xds, proxies, slowReaders, namespaces, checkEnvoyRules ? served : null)) {
        Phase phase = streams.measure(name, mizzen.pid(), timeoutSeconds, mizzen::heap);
        ProcessStats after = ProcessStats.of(mizzen.pid());
        long idle = (after.rssBytes() - before.rssBytes()) / Math.max(1, proxies);
        if (capture != null) {
          streams.capture(capture);
        }
        // The first changes warm the paths a change takes (the JIT compiles them as a running
        // control plane's are); the next ones are measured, one at a time, the split moving back
        // and forth. With namespace-scoped Sidecars only the changed service's namespace imports
        // it.
        IntPredicate affected = sidecars ? ns -> ns == 0 : ns -> true;
        List<Convergence> warmups = new ArrayList<>();
        List<Convergence> measuredChanges = new ArrayList<>();
        int warm = Math.max(1, warmupChanges);
        for (int i = 0; i < warm + Math.max(1, changes); i++) {
          // 80 -> 70 first, then 70 -> 55 -> 70 -> ...
          int from = i == 0 ? 80 : i % 2 == 1 ? 70 : 55;
          int to = i % 2 == 0 ? 70 : 55;
          Convergence c =
              streams.convergeAfter(
                  () -> changeRoutes(mesh, meshDir, from, to), affected, timeoutSeconds);
          (i < warm ? warmups : measuredChanges).add(c);
        }
        Convergence convergence = Convergence.pool(measuredChanges, warmups);
        // Memory after the run's work, taken again: the change may have raised the peak.
        Phase measured =
            new Phase(
                phase.name(),
                phase.proxies(),
                phase.allReadySeconds(),
                phase.readySeconds(),
                phase.bytes(),
                ProcessStats.of(mizzen.pid()),
                phase.heapBytes());
        List<Churn.Result> churn = List.of();
        if (!sidecars && churnSeconds > 0) {
          churn = churn(streams, mesh, meshDir, mizzen.pid());
        }
        return new MizzenRun(measured, convergence, idle, churn);
      }
    }
  }

  /**
   * Replaces pods of random services, steadily at {@code churnRate} a second for {@code
   * churnSeconds}, then {@code churnBurst} at once; measures when every proxy holds each new
   * assignment, what was sent for it, and the CPU both sides spent.
   */
  private List<Churn.Result> churn(Streams streams, MeshGenerator mesh, Path meshDir, long pid)
      throws Exception {
    Churn churn = new Churn();
    streams.fast().forEach(s -> s.watch(churn));
    Random random = new Random(42);
    List<Churn.Result> results = new ArrayList<>();
    long period = TimeUnit.SECONDS.toNanos(1) / Math.max(1, churnRate);
    int steady = churnSeconds * churnRate;
    log("churn: %d pods replaced at %d a second, then %d at once", steady, churnRate, churnBurst);
    results.add(
        churnPhase(
            "steady",
            streams,
            churn,
            pid,
            () -> {
              long start = System.nanoTime();
              for (int i = 0; i < steady; i++) {
                long wait = start + i * period - System.nanoTime();
                if (wait > 0) {
                  TimeUnit.NANOSECONDS.sleep(wait);
                }
                replaceOne(streams, mesh, meshDir, churn, random);
              }
              return null;
            }));
    results.add(
        churnPhase(
            "burst",
            streams,
            churn,
            pid,
            () -> {
              for (int i = 0; i < churnBurst; i++) {
                replaceOne(streams, mesh, meshDir, churn, random);
              }
              return null;
            }));
    streams.fast().forEach(s -> s.watch(null));
    results.forEach(r -> System.err.print("bench: " + r.table()));
    return results;
  }

  private static void replaceOne(
      Streams streams, MeshGenerator mesh, Path meshDir, Churn churn, Random random)
      throws IOException {
    int s;
    do {
      s = random.nextInt(mesh.services());
    } while (churn.busy(mesh.host(s)));
    int p = random.nextInt(mesh.pods());
    String ip = mesh.replacePod(s, p);
    String cluster = "outbound|8080||" + mesh.host(s);
    int expected = (int) streams.fast().stream().filter(st -> st.asksFor(cluster)).count();
    churn.expect(mesh.host(s), ip, List.of(p % 2 == 0 ? "v1" : "v2"), expected);
    mesh.writeEndpoints(meshDir, s);
  }

  private Churn.Result churnPhase(
      String name, Streams streams, Churn churn, long pid, Callable<Void> replace)
      throws Exception {
    churn.reset();
    Map<String, Long> before = streams.responses();
    long edsBefore = streams.fast().stream().mapToLong(EnvoyLikeStream::edsBytes).sum();
    long assignmentsBefore = streams.fast().stream().mapToLong(EnvoyLikeStream::edsResources).sum();
    ProcessStats mizzenBefore = ProcessStats.of(pid);
    ProcessStats generatorBefore = ProcessStats.of(ProcessHandle.current().pid());
    long start = System.nanoTime();
    replace.call();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    while (System.nanoTime() < deadline && !churn.changes().stream().allMatch(Churn.Change::done)) {
      Thread.sleep(50);
    }
    double wall = (System.nanoTime() - start) / 1e9;
    ProcessStats mizzenAfter = ProcessStats.of(pid);
    ProcessStats generatorAfter = ProcessStats.of(ProcessHandle.current().pid());
    Thread.sleep(500);
    long eds = streams.fast().stream().mapToLong(EnvoyLikeStream::edsBytes).sum() - edsBefore;
    long assignments =
        streams.fast().stream().mapToLong(EnvoyLikeStream::edsResources).sum() - assignmentsBefore;
    double proxyChanges = changesSeen(churn);
    Map<String, Long> after = streams.responses();
    long other = 0;
    for (var e : after.entrySet()) {
      if (!e.getKey().equals(EnvoyLikeStream.EDS)) {
        other += e.getValue() - before.getOrDefault(e.getKey(), 0L);
      }
    }
    List<Churn.Change> changes = churn.changes();
    double[] seconds =
        changes.stream()
            .filter(Churn.Change::done)
            .mapToDouble(Churn.Change::seconds)
            .sorted()
            .toArray();
    double ideal =
        changes.stream()
            .mapToDouble(
                c ->
                    (Math.max(0, c.changedBytes.get()) + Math.max(0, c.subsetBytes.get()))
                        * (double) c.expected)
            .average()
            .orElse(Double.NaN);
    return new Churn.Result(
        name,
        changes.size(),
        seconds,
        (int) changes.stream().filter(c -> !c.done()).count(),
        changes.isEmpty() ? Double.NaN : (double) eds / changes.size(),
        ideal,
        proxyChanges == 0 ? Double.NaN : assignments / proxyChanges,
        other,
        (mizzenAfter.cpuSeconds() - mizzenBefore.cpuSeconds()) / wall,
        (generatorAfter.cpuSeconds() - generatorBefore.cpuSeconds()) / wall);
  }

  /** Changes times the proxies that see them. */
  private static double changesSeen(Churn churn) {
    return churn.changes().stream().mapToDouble(c -> c.expected).sum();
  }

  /** Rewrites service 0's split from {@code from} to {@code to} percent to v1. */
  static Void changeRoutes(MeshGenerator mesh, Path meshDir, int from, int to) throws IOException {
    Path file = meshDir.resolve(MeshGenerator.namespace(0) + ".yaml");
    String text = Files.readString(file);
    String original = mesh.virtualService(0, from);
    if (!text.contains(original)) {
      throw new IllegalStateException("cannot find the VirtualService to change");
    }
    Files.writeString(file, text.replace(original, mesh.virtualService(0, to)));
    log(
        "changed VirtualService %s/%s at %s",
        MeshGenerator.namespace(0), MeshGenerator.service(0), LocalTime.now());
    return null;
  }

  /**
   * Convergence after changes: per affected stream and change, seconds from the change to the new
   * routes; and each change's p99.
   */
  record Convergence(
      double[] seconds,
      int missed,
      Map<String, Long> responsesByType,
      double[] p99PerChange,
      double[] warmupP99PerChange) {
    Convergence(double[] seconds, int missed, Map<String, Long> responsesByType) {
      this(
          seconds,
          missed,
          responsesByType,
          new double[] {percentile(seconds, 0.99)},
          new double[0]);
    }

    /** The measured changes pooled; the warm-up ones only by their p99, to show the cold start. */
    static Convergence pool(List<Convergence> changes, List<Convergence> warmups) {
      double[] seconds =
          changes.stream().flatMapToDouble(c -> Arrays.stream(c.seconds())).sorted().toArray();
      int missed = changes.stream().mapToInt(Convergence::missed).sum();
      Map<String, Long> pushed = new TreeMap<>();
      changes.forEach(c -> c.responsesByType().forEach((k, v) -> pushed.merge(k, v, Long::sum)));
      double[] p99s =
          changes.stream().flatMapToDouble(c -> Arrays.stream(c.p99PerChange())).toArray();
      double[] warm =
          warmups.stream().flatMapToDouble(c -> Arrays.stream(c.p99PerChange())).toArray();
      return new Convergence(seconds, missed, pushed, p99s, warm);
    }

    int changes() {
      return p99PerChange.length;
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  static double percentile(double[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int i = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  static void log(String format, Object... args) {
    System.err.println("bench: " + String.format(format, args));
  }

  /** P Envoy-like streams against one control plane. */
  static final class Streams implements AutoCloseable {
    private final List<ManagedChannel> channels = new ArrayList<>();
    private final List<EnvoyLikeStream> streams = new ArrayList<>();
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final ExecutorService slowExecutor = Executors.newCachedThreadPool();
    private final int slow;

    private final int port;
    private final int namespaces;
    private final ServedRules rules;

    Streams(int port, int count, int slow, int namespaces, ServedRules rules) {
      this.slow = slow;
      this.port = port;
      this.namespaces = namespaces;
      this.rules = rules;
      for (int i = 0; i < count; i++) {
        boolean isSlow = i >= count - slow;
        channels.add(channel(isSlow));
        streams.add(new EnvoyLikeStream(node(i), i % namespaces, isSlow ? 200 : 0, i == 0, rules));
      }
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
    EnvoyLikeStream reconnect(int i) throws InterruptedException {
      streams.get(i).close();
      channels.get(i).shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      boolean isSlow = i >= streams.size() - slow;
      ManagedChannel channel = channel(isSlow);
      EnvoyLikeStream s =
          new EnvoyLikeStream(node(i), i % namespaces, isSlow ? 200 : 0, false, rules);
      channels.set(i, channel);
      streams.set(i, s);
      s.start(channel);
      return s;
    }

    List<EnvoyLikeStream> fast() {
      return streams.subList(0, streams.size() - slow);
    }

    /** Responses received by every fast stream together, by type. */
    Map<String, Long> responses() {
      Map<String, Long> all = new TreeMap<>();
      for (EnvoyLikeStream s : fast()) {
        s.responsesByType().forEach((k, v) -> all.merge(k, v, Long::sum));
      }
      return all;
    }

    Phase measure(String name, long pid, int timeoutSeconds, Callable<Long> heap) throws Exception {
      long start = System.nanoTime();
      for (int i = 0; i < streams.size(); i++) {
        streams.get(i).start(channels.get(i));
      }
      log(
          "%s: %d streams opened in %.3f s",
          name, streams.size(), (System.nanoTime() - start) / 1e9);
      long deadline = start + TimeUnit.SECONDS.toNanos(timeoutSeconds);
      for (EnvoyLikeStream s : fast()) {
        s.ready().await(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
      double all = (System.nanoTime() - start) / 1e9;
      List<Double> ready = new ArrayList<>();
      long bytes = 0;
      for (EnvoyLikeStream s : fast()) {
        if (s.readyAfterNanos() > 0) {
          ready.add(s.readyAfterNanos() / 1e9);
        } else if (s.error() != null) {
          log("%s: a stream failed: %s", name, s.error());
        }
        bytes += s.bytes();
      }
      double[] sorted = ready.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      return new Phase(name, sorted.length, all, sorted, bytes, ProcessStats.of(pid), heap.call());
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
     * {@code affected} tests a stream's namespace index. What every stream was pushed is counted,
     * so a push to an unaffected proxy shows in the report.
     */
    Convergence convergeAfter(Callable<Void> change, IntPredicate affected, int timeoutSeconds)
        throws Exception {
      List<Map<String, Long>> before = new ArrayList<>();
      List<CountDownLatch> latches = new ArrayList<>();
      List<EnvoyLikeStream> waitedFor = new ArrayList<>();
      for (EnvoyLikeStream s : fast()) {
        before.add(s.responsesByType());
        if (!affected.test(s.namespaceIndex())) {
          continue;
        }
        waitedFor.add(s);
        // Only this change happens now: any new route version carries it. Comparing versions
        // keeps the load generator from parsing thousands of route configurations on the same
        // cores.
        String old = s.lastVersion(EnvoyLikeStream.RDS);
        latches.add(
            s.expect(
                r ->
                    EnvoyLikeStream.RDS.equals(r.getTypeUrl()) && !r.getVersionInfo().equals(old)));
      }
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
      return new Convergence(
          seconds.stream().mapToDouble(Double::doubleValue).sorted().toArray(), missed, pushed);
    }

    @Override
    public void close() throws InterruptedException {
      streams.forEach(EnvoyLikeStream::close);
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

  static String summary(double[] sorted) {
    return Arrays.toString(new double[] {percentile(sorted, 0.5), percentile(sorted, 0.99)});
  }
}
