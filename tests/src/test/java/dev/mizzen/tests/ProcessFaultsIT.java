package dev.mizzen.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mizzen.testing.xds.AdsTestStream;
import io.envoyproxy.envoy.config.core.v3.Node;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mizzen as a process, killed and started again: the packaged jar serving the bundled example mesh,
 * with proxies of every kind connected over raw ADS streams.
 */
class ProcessFaultsIT {
  private static final Path JAR = Path.of("../pilot/target/mizzen.jar");
  private static final Path MESH = Path.of("../examples/mesh");

  /** What Mizzen is given to come back: its start-up plus the first full read of the mesh. */
  private static final Duration RECOVERY = Duration.ofSeconds(60);

  @TempDir Path dir;
  private final List<Process> processes = new ArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();

  /** The proxies of the example mesh: sidecars of both members and the ingress gateway. */
  private static final List<Node> PROXIES =
      List.of(
          AdsTestStream.sidecar("frontend-v1-7d4f9", "shop"),
          AdsTestStream.sidecar("catalog-v1-7d4f9", "shop"),
          AdsTestStream.sidecar("catalog-v2-7d4f9", "shop"),
          AdsTestStream.sidecar("billing-v1-7d4f9", "payments"),
          AdsTestStream.node(
              "router~10.131.0.5~istio-ingressgateway-5c8d7.istio-system~istio-system.svc.cluster.local",
              "istio-system",
              false),
          AdsTestStream.node(
              "sidecar~10.128.0.99~grpc-client-1.shop~shop.svc.cluster.local", "shop", true));

  @BeforeEach
  void packaged() {
    assertThat(JAR).as("mvn verify packages Mizzen before this module's tests").exists();
  }

  @AfterEach
  void stop() throws InterruptedException {
    for (Process p : processes) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  private record Ports(int xds, int debug, int monitoring) {
    static Ports free() throws IOException {
      return new Ports(freePort(), freePort(), freePort());
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private Process start(Ports ports, String name) throws Exception {
    List<String> cmd =
        List.of(
            ProcessHandle.current().info().command().orElse("java"),
            "-Xmx256m",
            "-jar",
            JAR.toString(),
            "serve",
            "--config-dir",
            MESH.toString(),
            "--bind-address",
            "127.0.0.1",
            "--xds-port",
            String.valueOf(ports.xds()),
            "--debug-port",
            String.valueOf(ports.debug()),
            "--monitoring-port",
            String.valueOf(ports.monitoring()));
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve(name + ".log").toFile())
            .start();
    processes.add(p);
    return p;
  }

  private void awaitReady(Ports ports, Process p, String name) throws Exception {
    long deadline = System.nanoTime() + RECOVERY.toNanos();
    while (System.nanoTime() < deadline) {
      assertThat(p.isAlive()).as("Mizzen runs: " + log(name)).isTrue();
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.debug() + "/ready"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new AssertionError("not ready within " + RECOVERY + ": " + log(name));
  }

  private String log(String name) {
    try {
      return Files.readString(dir.resolve(name + ".log"));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  /** What each proxy is served by the control plane on {@code port}. */
  private static Map<String, ServedConfig> served(int port) throws Exception {
    Map<String, ServedConfig> all = new LinkedHashMap<>();
    for (Node node : PROXIES) {
      try (AdsTestStream ads = new AdsTestStream(port)) {
        all.put(node.getId(), ServedConfig.of(ads, node));
      }
    }
    return all;
  }

  /**
   * Connects each proxy as it would after losing its control plane: retrying until the port takes
   * connections, which it does only once the first full read of the config is done. The first
   * answer of each type is then the whole config, never an empty or partial one.
   */
  private static Map<String, ServedConfig> reconnect(int port, long deadlineNanos)
      throws Exception {
    while (true) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        break;
      } catch (IOException refused) {
        if (System.nanoTime() > deadlineNanos) {
          throw new AssertionError("the xDS port did not open again in time", refused);
        }
        Thread.sleep(50);
      }
    }
    return served(port);
  }

  private static Map<String, Object> resources(Map<String, ServedConfig> served) {
    Map<String, Object> r = new LinkedHashMap<>();
    served.forEach((id, c) -> r.put(id, c.resources()));
    return r;
  }

  @Test
  void killedAndStartedAgainEveryProxyIsServedTheSameConfig() throws Exception {
    Ports ports = Ports.free();
    Process first = start(ports, "first");
    awaitReady(ports, first, "first");
    Map<String, ServedConfig> before = served(ports.xds());
    assertThat(before.values()).allSatisfy(c -> assertThat(c.resources()).isNotEmpty());

    List<AdsTestStream> connected = new ArrayList<>();
    try {
      for (Node node : PROXIES) {
        AdsTestStream ads = new AdsTestStream(ports.xds());
        connected.add(ads);
        ServedConfig.of(ads, node);
      }
      long killedAt = System.nanoTime();
      // SIGKILL: nothing is flushed, no stream is closed in order.
      first.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      for (AdsTestStream ads : connected) {
        assertThat(ads.awaitClose().isOk()).isFalse();
      }
      Process second = start(ports, "second");
      Map<String, ServedConfig> after = reconnect(ports.xds(), killedAt + RECOVERY.toNanos());
      double seconds = (System.nanoTime() - killedAt) / 1e9;
      System.out.printf(
          "recovery: %d proxies served the same config %.2f s after kill -9%n",
          PROXIES.size(), seconds);
      assertThat(second.isAlive()).isTrue();
      assertThat(resources(after)).isEqualTo(resources(before));
    } finally {
      for (AdsTestStream ads : connected) {
        ads.close();
      }
    }
  }

  @Test
  void twoReplicasServeAProxyIdenticalResources() throws Exception {
    Ports a = Ports.free();
    Ports b = Ports.free();
    Process one = start(a, "one");
    Process two = start(b, "two");
    awaitReady(a, one, "one");
    awaitReady(b, two, "two");
    assertThat(resources(served(b.xds()))).isEqualTo(resources(served(a.xds())));
  }
}
