package dev.mizzen.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * How the costs grow with the proxies: the unscoped mesh measured at several sizes, Mizzen and the
 * bare library beside it at each, by the same runs the benchmark's report is made of. One size says
 * how fast Mizzen is; only several say whether it stays so as the mesh grows, which is what a
 * growth exponent (the slope of log cost on log proxies) states in one number.
 */
@Command(
    name = "mizzen bench curve",
    mixinStandardHelpOptions = true,
    description = "Measure Mizzen and bare java-control-plane at several sizes; fit the growth.")
public final class Curve implements Callable<Integer> {
  @Option(
      names = "--sizes",
      split = ",",
      defaultValue = "500,1000,2000,4000",
      description = "Proxies at each point, comma-separated. Default: ${DEFAULT-VALUE}.")
  List<Integer> sizes;

  @Option(names = "--services", defaultValue = "1000", description = "Default: ${DEFAULT-VALUE}.")
  int services;

  @Option(names = "--namespaces", defaultValue = "20", description = "Default: ${DEFAULT-VALUE}.")
  int namespaces;

  @Option(names = "--pods", defaultValue = "4", description = "Default: ${DEFAULT-VALUE}.")
  int pods;

  @Option(
      names = "--slow-readers",
      defaultValue = "0",
      description =
          "Streams that read one response at a time, slowly (left out of the figures)."
              + " Default: ${DEFAULT-VALUE}.")
  int slowReaders;

  @Option(
      names = "--warmup-changes",
      defaultValue = "5",
      description =
          "VirtualService changes made first at each size, not pooled. Default: ${DEFAULT-VALUE}.")
  int warmupChanges;

  @Option(
      names = "--changes",
      defaultValue = "3",
      description = "VirtualService changes measured at each size. Default: ${DEFAULT-VALUE}.")
  int changes;

  @Option(
      names = "--java-opts",
      defaultValue = "-Xmx512m -XX:+UseG1GC",
      description = "Mizzen's JVM options. Default: ${DEFAULT-VALUE}.")
  String javaOpts;

  @Option(
      names = "--baseline-java-opts",
      defaultValue = "-XX:+UseG1GC",
      description =
          "JVM options of bare java-control-plane; its heap is left to the JVM by default."
              + " Default: ${DEFAULT-VALUE}.")
  String baselineJavaOpts;

  @Option(names = "--skip-baseline", description = "Do not measure bare java-control-plane.")
  boolean skipBaseline;

  @Option(
      names = "--skip-warmup-run",
      description =
          "Do not connect the smallest size once, unmeasured, before the measured sizes. That run"
              + " is there because the load generator's own JVM starts cold: without it the first"
              + " point alone pays for compiling the generator, which lowers the exponents.")
  boolean skipWarmupRun;

  @Option(
      names = "--timeout",
      defaultValue = "600",
      description =
          "Seconds to wait for all streams, and for each change. Default: ${DEFAULT-VALUE}.")
  int timeoutSeconds;

  @Option(names = "--mizzen-jar", description = "Default: $MIZZEN_HOME/pilot/target/mizzen.jar.")
  Path mizzenJar;

  @Option(
      names = "--out",
      defaultValue = "target/curve",
      description = "Default: ${DEFAULT-VALUE}.")
  Path out;

  public static void main(String[] args) {
    System.exit(new CommandLine(new Curve()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Files.createDirectories(out);
    Path jar = MizzenProcess.jar(mizzenJar);
    List<Integer> ordered = sizes.stream().sorted().toList();
    if (!skipWarmupRun && !ordered.isEmpty()) {
      Path dir = out.resolve("warmup-run");
      Files.createDirectories(dir);
      Bench.log("curve: a warm-up run of %d proxies, not reported", ordered.get(0));
      new MeshRuns(settings(ordered.get(0), 1, 1, dir), jar).mizzen(false, null);
    }
    List<CurveReport.Point> points = new ArrayList<>();
    boolean ok = true;
    for (int size : ordered) {
      Path dir = out.resolve(size + "-proxies");
      Files.createDirectories(dir);
      MeshRuns runs = new MeshRuns(settings(size, warmupChanges, changes, dir), jar);
      Path captured = dir.resolve("resources.bin");
      MeshRuns.MizzenRun mizzen = runs.mizzen(false, captured);
      Phase library = skipBaseline ? null : runs.baseline(captured);
      points.add(new CurveReport.Point(size, mizzen.phase(), mizzen.convergence(), library));
      int fast = size - slowReaders;
      ok &= mizzen.phase().proxies() >= fast && mizzen.convergence().missed() == 0;
      ok &= library == null || library.proxies() >= fast;
      // Written after each size, so that a long run that fails late leaves what it measured.
      write(new CurveReport(services, namespaces, slowReaders, javaOpts, baselineJavaOpts, points));
    }
    CurveReport report =
        new CurveReport(services, namespaces, slowReaders, javaOpts, baselineJavaOpts, points);
    System.out.print(report.table());
    System.out.println(report.json());
    Bench.log("curve table, JSON and chart written to %s", out);
    return ok ? 0 : 1;
  }

  /** One size's measurement: the unscoped mesh, no endpoint churn, nothing checked. */
  private RunSettings settings(int size, int warmups, int measured, Path dir) {
    return new RunSettings(
        services,
        namespaces,
        pods,
        size,
        slowReaders,
        javaOpts,
        baselineJavaOpts,
        warmups,
        measured,
        timeoutSeconds,
        0,
        0,
        0,
        dir,
        null,
        false);
  }

  private void write(CurveReport report) throws Exception {
    Files.writeString(out.resolve("curve.txt"), report.table());
    Files.writeString(out.resolve("curve.json"), report.json() + "\n");
    Files.writeString(out.resolve("curve.svg"), report.svg());
  }
}
