package dev.mizzen.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalTime;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The benchmark: a generated mesh served by Mizzen (its own process) to P Envoy-like ADS streams,
 * then the same resources served to the same streams by bare java-control-plane; prints a table, a
 * JSON line and a chart of the convergence after one VirtualService change. The mesh is measured
 * again with a namespace-scoped Sidecar per namespace, or alone, as the ten-thousand-proxy run
 * does; the runs themselves are {@link MeshRuns}, which the curve calls once per size.
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

  @Option(
      names = "--skip-unscoped",
      description =
          "Do not measure the mesh without Sidecars (nor, then, the library, which serves what that"
              + " run sent): with --proxies 10000, the namespace-scoped mesh alone.")
  boolean skipUnscoped;

  @Option(
      names = "--delta",
      description =
          "The proxies speak incremental (delta) ADS to Mizzen, as Envoy does by default since"
              + " Istio 1.22, instead of state of the world, whose every ACK repeats every resource"
              + " name asked for (3,000 EDS names a proxy of the reference mesh): all of Mizzen's"
              + " runs, the route changes and the endpoint churn. Bare java-control-plane is still"
              + " measured with state-of-the-world streams, served what a delta stream was sent.")
  boolean delta;

  private final ServedRules served = new ServedRules();

  /** What each measurement is run with, from the options. */
  RunSettings settings() {
    return new RunSettings(
        services,
        namespaces,
        pods,
        proxies,
        slowReaders,
        javaOpts,
        baselineJavaOpts,
        warmupChanges,
        changes,
        timeoutSeconds,
        churnSeconds,
        churnRate,
        churnBurst,
        out,
        checkEnvoyRules ? served : null,
        delta);
  }

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
    if (skipUnscoped && skipScoped) {
      log("--skip-unscoped and --skip-scoped leave nothing to measure");
      return 2;
    }
    RunSettings settings = settings();
    MeshRuns runs = new MeshRuns(settings, jar);
    Path captured = out.resolve("resources.bin");
    MeshRuns.MizzenRun unscoped = skipUnscoped ? null : runs.mizzen(false, captured);
    MeshRuns.MizzenRun scoped = skipScoped ? null : runs.mizzen(true, null);
    Phase bare = null;
    if (!skipBaseline && unscoped == null) {
      log("java-control-plane: not measured, it serves what the unscoped run sent");
    } else if (!skipBaseline) {
      bare = runs.baseline(captured);
    }
    Report report =
        new Report(
            services,
            namespaces,
            proxies,
            slowReaders,
            javaOpts,
            baselineJavaOpts,
            settings.protocol(),
            unscoped == null ? null : unscoped.phase(),
            bare,
            unscoped == null ? null : unscoped.convergence(),
            unscoped == null ? -1 : unscoped.idleBytesPerProxy(),
            scoped == null ? null : scoped.phase(),
            scoped == null ? null : scoped.convergence(),
            scoped == null ? -1 : scoped.idleBytesPerProxy(),
            unscoped == null ? List.of() : unscoped.churn());
    System.out.print(report.table());
    System.out.println(report.json());
    Files.writeString(out.resolve("report.txt"), report.table());
    Files.writeString(out.resolve("report.json"), report.json() + "\n");
    Files.writeString(out.resolve("convergence.svg"), report.svg());
    log("report, JSON and chart written to %s", out);
    boolean ok = true;
    for (MeshRuns.MizzenRun run : Arrays.asList(unscoped, scoped)) {
      if (run != null) {
        ok &= run.phase().proxies() >= proxies - slowReaders && run.convergence().missed() == 0;
      }
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

  /** Rewrites service 0's split from {@code from} to {@code to} percent to v1. */
  static Void changeRoutes(MeshGenerator mesh, Path meshDir, int from, int to) throws IOException {
    Path file = meshDir.resolve(MeshGenerator.namespace(0) + ".yaml");
    String text = Files.readString(file);
    String original = mesh.virtualService(0, from);
    if (!text.contains(original)) {
      throw new IllegalStateException("cannot find the VirtualService to change");
    }
    // Written whole and moved in place, as the endpoints are: Mizzen runs with no stability rule
    // for the directory (--config-dir-stable 0), so the time measured is the push's.
    Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
    Files.writeString(tmp, text.replace(original, mesh.virtualService(0, to)));
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    log(
        "changed VirtualService %s/%s at %s",
        MeshGenerator.namespace(0), MeshGenerator.service(0), LocalTime.now());
    return null;
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
}
