package dev.mizzen.pilot.debug;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mizzen.pilot.app.ControlPlane;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What callers of the debug port see at its edges: the answers for callers without the right, for
 * methods and paths it does not serve, and for clients that never finish a request.
 */
class DebugServerLimitsTest {
  private static final String TOKEN = "s3cret";

  @TempDir Path dir;
  private ControlPlane cp;
  private DebugServer server;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @BeforeEach
  void start() throws Exception {
    Path mesh = Files.createDirectory(dir.resolve("mesh"));
    Files.writeString(
        mesh.resolve("mesh.yaml"),
        """
        apiVersion: maistra.io/v1
        kind: ServiceMeshMemberRoll
        metadata: {name: default, namespace: istio-system}
        spec: {members: []}
        """);
    Path token = Files.writeString(dir.resolve("token"), TOKEN + "\n");
    cp = ControlPlane.start(ControlPlane.Options.forTest(mesh, "istio-system"));
    // Loopback is trusted without a token in production; here no address is, so every caller is
    // treated as one from another host.
    DebugAccess access = DebugAccess.withTokenFile(token).trusting(address -> false);
    server =
        DebugServer.start(
            new InetSocketAddress("127.0.0.1", 0),
            cp.pipeline(),
            () -> true,
            access,
            cp.metrics(),
            true,
            "test");
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    cp.close();
  }

  private HttpResponse<String> call(String method, String path, String authorization)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .timeout(Duration.ofSeconds(30))
            .method(method, HttpRequest.BodyPublishers.noBody());
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void withoutTheTokenEveryPathButTheProbesIsUnauthorized() throws Exception {
    for (String path : List.of("/debug/syncz", "/debug", "/debug/nothing", "/", "/admin")) {
      for (String method : List.of("GET", "HEAD", "OPTIONS", "POST", "DELETE")) {
        HttpResponse<String> r = call(method, path, null);
        assertThat(r.statusCode()).as("%s %s", method, path).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
      }
    }
    assertThat(call("GET", "/debug/syncz", "Basic czNjcmV0").statusCode()).isEqualTo(401);
    assertThat(call("GET", "/debug/syncz", "Bearer wrong").statusCode()).isEqualTo(403);
    assertThat(call("GET", "/nothing", "Bearer wrong").statusCode()).isEqualTo(403);
    assertThat(call("GET", "/ready", null).statusCode()).isEqualTo(200);
    assertThat(call("GET", "/version", null).statusCode()).isEqualTo(200);
    assertThat(call("GET", "/metrics", null).statusCode()).isEqualTo(200);
  }

  @Test
  void withTheTokenUnknownPathsAre404AndOnlyReadsAreServed() throws Exception {
    String bearer = "Bearer " + TOKEN;
    assertThat(call("GET", "/debug/syncz", bearer).statusCode()).isEqualTo(200);
    assertThat(call("GET", "/debug/nothing", bearer).statusCode()).isEqualTo(404);
    assertThat(call("GET", "/debug/syncz/more", bearer).statusCode()).isEqualTo(404);
    HttpResponse<String> head = call("HEAD", "/debug/list", bearer);
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
    for (String method : List.of("POST", "PUT", "DELETE", "OPTIONS")) {
      for (String path : List.of("/debug/syncz", "/ready")) {
        HttpResponse<String> r = call(method, path, bearer);
        assertThat(r.statusCode()).as("%s %s", method, path).isEqualTo(405);
        assertThat(r.headers().firstValue("Allow")).hasValue("GET, HEAD");
      }
    }
  }

  @Test
  void clientsThatNeverFinishARequestNeitherHoldTheProbeNorStayConnected() throws Exception {
    List<Socket> slow = new ArrayList<>();
    try {
      for (int i = 0; i < HttpLimits.WORKERS / 2; i++) {
        Socket s = new Socket("127.0.0.1", server.port());
        OutputStream out = s.getOutputStream();
        out.write("GET /ready HT".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        slow.add(s);
      }
      assertThat(call("GET", "/ready", null).statusCode()).isEqualTo(200);
      assertThat(call("GET", "/debug/syncz", "Bearer " + TOKEN).statusCode()).isEqualTo(200);
      for (Socket s : slow) {
        s.setSoTimeout((int) Duration.ofSeconds(HttpLimits.REQUEST_SECONDS * 6L).toMillis());
        assertThat(closedByServer(s.getInputStream())).isTrue();
      }
    } finally {
      for (Socket s : slow) {
        s.close();
      }
    }
  }

  /** Whether the server ends the connection (after its request time) before the read times out. */
  private static boolean closedByServer(InputStream in) throws Exception {
    try {
      while (in.read() >= 0) {
        // whatever the server says before it closes
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (SocketException e) {
      return true;
    }
  }
}
