package dev.mizzen.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;

/**
 * The measurements the benchmark is made of, each callable on its own: Mizzen on the generated mesh
 * (unscoped or with a namespace-scoped Sidecar per namespace), and the bare library serving what
 * Mizzen sent. The regular report calls them once; the curve calls them once per size.
 */
final class MeshRuns {
  private final RunSettings settings;
  private final Path jar;

  MeshRuns(RunSettings settings, Path jar) {
    this.settings = settings;
    this.jar = jar;
  }

  /**
   * One Mizzen process on the generated mesh, measured.
   *
   * @param idleBytesPerProxy the growth of RSS from before the proxies connected to after, divided
   *     by their number
   */
  record MizzenRun(
      Phase phase, Convergence convergence, long idleBytesPerProxy, List<Churn.Result> churn) {}

  /**
   * Starts Mizzen on the mesh, connects the streams, changes service 0's routes and, unscoped and
   * when asked for, churns endpoints; {@code capture} (or null) receives what the first stream was
   * sent, for the library to serve.
   */
  MizzenRun mizzen(boolean sidecars, Path capture) throws Exception {
    RunSettings s = settings;
    String name = sidecars ? "mizzen-scoped" : "mizzen";
    Path meshDir = s.out().resolve(sidecars ? "mesh-scoped" : "mesh");
    MeshGenerator mesh = new MeshGenerator(s.services(), s.namespaces(), s.pods());
    mesh.write(meshDir, sidecars);
    Bench.log(
        "%s: %d services in %d namespaces, %d pods each%s, in %s; the proxies speak %s ADS",
        name,
        s.services(),
        s.namespaces(),
        s.pods(),
        sidecars ? ", a namespace-scoped Sidecar per namespace" : "",
        meshDir,
        s.delta() ? "delta" : "state-of-the-world");
    try (MizzenProcess mizzen =
        MizzenProcess.start(
            jar, meshDir, s.javaOpts(), s.out().resolve(name + ".log"), s.timeoutSeconds())) {
      ProcessStats before = ProcessStats.of(mizzen.pid());
      try (Streams streams =
          new Streams(
              mizzen.xds, s.proxies(), s.slowReaders(), s.namespaces(), s.rules(), s.delta())) {
        Phase phase = streams.measure(name, mizzen.pid(), s.timeoutSeconds(), mizzen::heap);
        ProcessStats after = ProcessStats.of(mizzen.pid());
        long idle = (after.rssBytes() - before.rssBytes()) / Math.max(1, s.proxies());
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
        int warm = Math.max(1, s.warmupChanges());
        for (int i = 0; i < warm + Math.max(1, s.changes()); i++) {
          // 80 -> 70 first, then 70 -> 55 -> 70 -> ...
          int from = i == 0 ? 80 : i % 2 == 1 ? 70 : 55;
          int to = i % 2 == 0 ? 70 : 55;
          Convergence c =
              streams.convergeAfter(
                  () -> Bench.changeRoutes(mesh, meshDir, from, to),
                  affected,
                  mizzen.pid(),
                  s.timeoutSeconds());
          (i < warm ? warmups : measuredChanges).add(c);
        }
        Convergence convergence = Convergence.pool(measuredChanges, warmups);
        // Memory after the run's work, taken again: the change may have raised the peak.
        Phase measured = phase.withStats(ProcessStats.of(mizzen.pid()));
        List<Churn.Result> churn = List.of();
        if (!sidecars && s.churnSeconds() > 0) {
          churn = new EndpointChurn(s).run(streams, mesh, meshDir, mizzen.pid());
        }
        return new MizzenRun(measured, convergence, idle, churn);
      }
    }
  }

  /**
   * Bare java-control-plane in a process of its own, serving {@code captured} to the streams, which
   * speak state of the world even with {@code --delta}: what they are served is the same, since a
   * delta stream keeps all it holds for the capture.
   */
  Phase baseline(Path captured) throws Exception {
    RunSettings s = settings;
    int port = Bench.freePort();
    List<String> cmd = new ArrayList<>(MizzenProcess.java(s.baselineJavaOpts()));
    cmd.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            BareControlPlane.class.getName(),
            String.valueOf(port),
            captured.toString()));
    Process baseline =
        MizzenProcess.withEnvironment(new ProcessBuilder(cmd)).redirectErrorStream(true).start();
    try {
      BufferedReader lines =
          new BufferedReader(
              new InputStreamReader(baseline.getInputStream(), StandardCharsets.UTF_8));
      String line;
      while ((line = lines.readLine()) != null && !line.equals("ready")) {
        // startup output
      }
      try (Streams streams =
          new Streams(port, s.proxies(), s.slowReaders(), s.namespaces(), s.rules(), false)) {
        return streams.measure("java-control-plane", baseline.pid(), s.timeoutSeconds(), () -> -1L);
      }
    } finally {
      baseline.destroy();
      baseline.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
