package dev.mizzen.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Mizzen's packaged jar run as its own process on a config directory, on free loopback ports. */
final class MizzenProcess implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final Process process;
  private final Path log;
  final int xds;
  final int debug;
  final int monitoring;

  private MizzenProcess(Process process, Path log, int xds, int debug, int monitoring) {
    this.process = process;
    this.log = log;
    this.xds = xds;
    this.debug = debug;
    this.monitoring = monitoring;
  }

  /** The jar given, or the one built under {@code $MIZZEN_HOME}. */
  static Path jar(Path given) {
    return given != null
        ? given
        : Path.of(System.getenv().getOrDefault("MIZZEN_HOME", "."), "pilot/target/mizzen.jar");
  }

  /** Starts Mizzen on {@code configDir}, its output in {@code log}, and waits until it is ready. */
  static MizzenProcess start(
      Path jar, Path configDir, String javaOpts, Path log, int timeoutSeconds) throws Exception {
    MizzenProcess m = launch(jar, configDir, javaOpts, log);
    try {
      m.awaitReady(timeoutSeconds);
    } catch (Exception e) {
      m.close();
      throw e;
    }
    return m;
  }

  /** Starts Mizzen on {@code configDir}, its output in {@code log}; {@link #awaitReady} waits. */
  static MizzenProcess launch(Path jar, Path configDir, String javaOpts, Path log)
      throws IOException {
    int xds = Bench.freePort();
    int debug = Bench.freePort();
    int monitoring = Bench.freePort();
    List<String> cmd = new ArrayList<>(java(javaOpts));
    cmd.addAll(
        List.of(
            "-jar",
            jar.toString(),
            "serve",
            "--config-dir",
            configDir.toString(),
            "--bind-address",
            "127.0.0.1",
            "--xds-port",
            String.valueOf(xds),
            "--debug-port",
            String.valueOf(debug),
            "--monitoring-port",
            String.valueOf(monitoring),
            // Every simulated proxy connects from loopback, all at once, as none would in a
            // cluster; the bare library has no such limits either.
            "--xds-max-connections-per-address",
            String.valueOf(Integer.MAX_VALUE),
            "--xds-max-new-streams-per-second",
            "0",
            // The benchmark moves every file it changes in place whole, so a change is applied as
            // soon as it is seen; the default waits for a file to stay as it is for 300 ms.
            "--config-dir-stable",
            "0"));
    Process p =
        withEnvironment(new ProcessBuilder(cmd))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    return new MizzenProcess(p, log, xds, debug, monitoring);
  }

  long pid() {
    return process.pid();
  }

  void awaitReady(int timeoutSeconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("Mizzen exited; see " + log);
      }
      try {
        var r =
            HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + debug + "/ready")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException("Mizzen did not become ready; see " + log);
  }

  private static final String HEAP = "jvm_memory_used_bytes{area=\"heap\"";
  private static final String THREADS = "jvm_threads_live_threads";

  /** The heap in use, as Mizzen's metrics say; -1 when they cannot be read. */
  long heap() {
    return metrics().heap();
  }

  /** What one scrape of Mizzen's metrics says of the heap in use and the live Java threads. */
  record Metrics(long heap, long javaThreads) {}

  /** Reads Mizzen's metrics once; a value is -1 when they cannot be read. */
  Metrics metrics() {
    try {
      String text =
          HTTP.send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + monitoring + "/metrics"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      return new Metrics(sum(text, HEAP), sum(text, THREADS));
    } catch (IOException e) {
      return new Metrics(-1, -1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Metrics(-1, -1);
    }
  }

  /** The sum of the samples of the metric lines that start with {@code prefix}. */
  private static long sum(String metrics, String prefix) {
    long sum = 0;
    for (String line : metrics.split("\n")) {
      if (line.startsWith(prefix)) {
        sum += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  /** Runs a full garbage collection in the process, with the JDK's jcmd. */
  void fullGc() throws Exception {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process p =
        new ProcessBuilder(jcmd.toString(), String.valueOf(pid()), "GC.run")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("jcmd GC.run did not finish");
    }
  }

  /**
   * The environment control planes run in here: glibc's malloc arenas capped as in the image, so
   * that many threads do not each keep an arena of their own.
   */
  static ProcessBuilder withEnvironment(ProcessBuilder b) {
    b.environment().put("MALLOC_ARENA_MAX", "2");
    return b;
  }

  static List<String> java(String opts) {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    for (String o : opts.trim().split("\\s+")) {
      if (!o.isEmpty()) {
        cmd.add(o);
      }
    }
    return cmd;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
