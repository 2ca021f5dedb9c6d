package dev.mizzen.tests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Status;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Node's xDS client, {@code @grpc/grpc-js-xds}, in a child process running {@code
 * src/test/node/client.js}: the test writes one JSON request per line to its stdin and reads one
 * JSON answer per line from its stdout. The packages are installed once per build with {@code npm
 * ci} from the committed lock file into {@code target/node-client}.
 *
 * <p>Without Node.js and npm the tests that use it are skipped, unless MIZZEN_REQUIRE_NODE is set
 * (as {@code .ci/run} sets it), which makes their absence a failure.
 */
final class NodeCaller implements XdsCaller {
  /** The oldest Node.js the client runs on (package.json's engines; Debian 12 ships 18). */
  static final int MIN_NODE_MAJOR = 18;

  /** The longest a test waits for one answer; the client is killed when it takes longer. */
  private static final Duration MAX_WAIT = Duration.ofSeconds(60);

  private static final ObjectMapper JSON = new ObjectMapper();
  private static Path installed;

  private final String pod;
  private final Process process;
  private final Writer stdin;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final Thread reaper;
  private final JsonNode versions;

  /**
   * Starts the client with a bootstrap naming it {@code POD.NAMESPACE}, as {@link
   * XdsClients#bootstrap} does.
   */
  NodeCaller(int xdsPort, String pod, String namespace, Map<String, String> labels)
      throws IOException {
    this.pod = pod;
    Path dir = install();
    ProcessBuilder pb =
        new ProcessBuilder(executable("node").toString(), "client.js").directory(dir.toFile());
    pb.environment()
        .put(
            "GRPC_XDS_BOOTSTRAP_CONFIG",
            JSON.writeValueAsString(XdsClients.bootstrap(xdsPort, pod, namespace, labels)));
    pb.environment().remove("GRPC_XDS_BOOTSTRAP");
    pb.redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve(pod + ".log").toFile()));
    process = pb.start();
    // Whatever happens to the test, the child does not outlive the JVM.
    reaper = new Thread(this::kill, "node-client-reaper");
    Runtime.getRuntime().addShutdownHook(reaper);
    stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                  lines.add(line);
                }
              } catch (IOException e) {
                // the process ended; call() reports it
              }
            },
            "node-client-stdout");
    reader.setDaemon(true);
    reader.start();
    JsonNode ready = next(Duration.ofSeconds(30));
    if (!ready.path("ready").asBoolean()) {
      close();
      throw new AssertionError("the Node client did not start: " + ready);
    }
    versions = ready;
  }

  /** Node's, grpc-js's and grpc-js-xds's versions, as the client reported them. */
  String versions() {
    return "node "
        + versions.path("node").asText()
        + ", @grpc/grpc-js "
        + versions.path("grpcJs").asText()
        + ", @grpc/grpc-js-xds "
        + versions.path("grpcJsXds").asText();
  }

  @Override
  public String name() {
    return "grpc-js-xds";
  }

  @Override
  public String pod() {
    return pod;
  }

  @Override
  public synchronized List<Outcome> call(
      String target, Map<String, String> headers, Duration deadline, int calls, boolean parallel) {
    Map<String, Object> request = new LinkedHashMap<>();
    request.put("target", target);
    request.put("calls", calls);
    request.put("headers", headers);
    request.put("deadlineMs", deadline.toMillis());
    request.put("parallel", parallel);
    JsonNode answer;
    try {
      stdin.write(JSON.writeValueAsString(request) + "\n");
      stdin.flush();
      Duration all = parallel ? deadline : deadline.multipliedBy(calls);
      answer = next((all.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : all).plusSeconds(10));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "the Node client is gone (see target/node-client/" + pod + ".log)", e);
    }
    if (!answer.has("results")) {
      throw new AssertionError("the Node client failed: " + answer);
    }
    List<Outcome> out = new ArrayList<>();
    for (JsonNode r : answer.get("results")) {
      out.add(
          r.has("backend")
              ? Outcome.answered(r.get("backend").asText())
              : Outcome.failed(
                  Status.fromCodeValue(r.path("code").asInt()).getCode(),
                  r.path("details").asText()));
    }
    return out;
  }

  private JsonNode next(Duration timeout) throws IOException {
    String line;
    try {
      line = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    if (line == null) {
      kill();
      throw new AssertionError(
          "no answer from the Node client within "
              + timeout
              + (process.isAlive() ? "" : " (it exited with " + process.exitValue() + ")")
              + "; see target/node-client/"
              + pod
              + ".log");
    }
    return JSON.readTree(line);
  }

  /** Ends the client: stdin closed (it exits by itself), then killed with anything it started. */
  @Override
  public void close() {
    try {
      stdin.close();
    } catch (IOException e) {
      // already gone
    }
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        kill();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill();
    }
    kill();
    try {
      Runtime.getRuntime().removeShutdownHook(reaper);
    } catch (IllegalStateException e) {
      // the JVM is shutting down: the hook runs anyway
    }
  }

  private void kill() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The directory holding client.js and its node_modules, installed with {@code npm ci} the first
   * time (and again when the lock file changed); skips the test when Node.js or npm is missing.
   */
  static synchronized Path install() throws IOException {
    if (installed != null) {
      return installed;
    }
    Path node = executable("node");
    Path npm = executable("npm");
    int major = nodeMajor(node);
    if (major < MIN_NODE_MAJOR) {
      missing("Node.js " + major + " is older than " + MIN_NODE_MAJOR);
    }
    Path basedir = Path.of(System.getProperty("basedir", "."));
    Path source = basedir.resolve("src/test/node");
    Path dir = basedir.resolve("target/node-client");
    Files.createDirectories(dir);
    for (String f : List.of("package.json", "package-lock.json", "client.js")) {
      Files.copy(source.resolve(f), dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
    }
    Path stamp = dir.resolve("node_modules/.installed-from-lock");
    String lock = Files.readString(dir.resolve("package-lock.json"));
    if (!Files.exists(stamp) || !Files.readString(stamp).equals(lock)) {
      // --ignore-scripts: nothing the client needs is built at install time.
      run(
          dir,
          Duration.ofMinutes(5),
          npm.toString(),
          "ci",
          "--ignore-scripts",
          "--no-audit",
          "--no-fund",
          "--loglevel=error");
      Files.writeString(stamp, lock);
    }
    installed = dir;
    return dir;
  }

  private static int nodeMajor(Path node) throws IOException {
    String v = run(Path.of("."), Duration.ofSeconds(30), node.toString(), "--version").trim();
    try {
      return Integer.parseInt(v.replaceFirst("^v", "").split("\\.")[0]);
    } catch (NumberFormatException e) {
      throw new AssertionError("unexpected output of node --version: " + v);
    }
  }

  private static String run(Path dir, Duration timeout, String... cmd) throws IOException {
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    try {
      p.getOutputStream().close();
      var out = new ByteArrayOutputStream();
      Thread t =
          new Thread(
              () -> {
                try {
                  p.getInputStream().transferTo(out);
                } catch (IOException e) {
                  // the process ended
                }
              });
      t.start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        throw new AssertionError(String.join(" ", cmd) + " did not finish within " + timeout);
      }
      t.join(5000);
      String text = out.toString(StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        throw new AssertionError(
            String.join(" ", cmd) + " failed with " + p.exitValue() + ":\n" + text);
      }
      return text;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      throw new IOException(e);
    }
  }

  /**
   * {@code name} on the PATH; skips (or, under MIZZEN_REQUIRE_NODE, fails) when it is not there.
   */
  static Path executable(String name) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path p = Path.of(d.isEmpty() ? "." : d, name);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    missing("no " + name + " on the PATH");
    return null;
  }

  private static void missing(String why) {
    if (System.getenv("MIZZEN_REQUIRE_NODE") != null) {
      throw new AssertionError(
          "MIZZEN_REQUIRE_NODE is set but " + why + " (apt-get install nodejs npm)");
    }
    Assumptions.abort(
        why
            + "; the Node.js client tests need Node.js "
            + MIN_NODE_MAJOR
            + "+ and npm (.ci/run installs them)");
  }
}
