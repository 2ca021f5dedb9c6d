package dev.mizzen.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mizzen.pilot.app.ControlPlane;
import dev.mizzen.pilot.cache.TypeUrls;
import dev.mizzen.testing.xds.AdsTestStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The /debug page in a real headless browser (Debian's Chromium) against a live Mizzen: what it
 * shows of members, proxies, refusals and the analysis. {@code .ci/run} installs Chromium and sets
 * MIZZEN_REQUIRE_BROWSER, so in CI the test always runs.
 */
class DashboardIT {
  @TempDir Path dir;

  static Path chromium() {
    for (String candidate :
        List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")) {
      if (Files.isExecutable(Path.of(candidate))) {
        return Path.of(candidate);
      }
    }
    boolean required = System.getenv("MIZZEN_REQUIRE_BROWSER") != null;
    if (required) {
      throw new AssertionError(
          "MIZZEN_REQUIRE_BROWSER is set but no Chromium is installed (apt-get install chromium)");
    }
    Assumptions.abort("no Chromium installed; .ci/run installs it");
    return null;
  }

  /** Runs headless Chromium on {@code url} with {@code action} (--dump-dom, --screenshot=...). */
  static String browse(Path browser, Path profile, String url, String... action)
      throws IOException, InterruptedException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                browser.toString(),
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--user-data-dir=" + profile,
                "--window-size=1280,1000",
                "--virtual-time-budget=5000"));
    cmd.addAll(List.of(action));
    cmd.add(url);
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("Chromium did not finish");
    }
    return new String(out, StandardCharsets.UTF_8);
  }

  @Test
  void showsMembersProxiesRefusalsAndAnalysis() throws Exception {
    Path browser = chromium();
    Files.writeString(
        dir.resolve("mesh.yaml"),
        """
        apiVersion: v1
        kind: Namespace
        metadata: {name: shop}
        ---
        apiVersion: maistra.io/v1
        kind: ServiceMeshMemberRoll
        metadata: {name: default, namespace: istio-system}
        spec: {members: [shop, not-yet-created]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: shop}
        spec:
          clusterIP: 10.96.0.20
          ports: [{name: grpc, port: 7070}]
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: bad-regex, namespace: shop}
        spec:
          hosts: [web]
          http: [{match: [{uri: {regex: "(unclosed"}}], route: [{destination: {host: web}}]}]
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: web, namespace: shop}
        spec:
          hosts: [web]
          http: [{route: [{destination: {host: web, subset: v9}}]}]
        """);
    try (ControlPlane cp = ControlPlane.start(ControlPlane.Options.forTest(dir, "istio-system"));
        AdsTestStream nacking = new AdsTestStream(cp.xdsPort())) {
      var channel =
          XdsClients.channel(
              "web.shop:7070",
              XdsClients.bootstrap(cp.xdsPort(), "client-1", "shop", Map.of("app", "client")));
      try {
        // A real gRPC client: it asks for and accepts every type.
        channel.getState(true);
        nacking.request(
            AdsTestStream.sidecar("web-2", "shop"), TypeUrls.CLUSTER, List.of(), "", "");
        var r = nacking.next();
        nacking.nack(r, List.of(), "cluster refused by the test proxy");
        AdsTestStream.await(
            () ->
                cp.pipeline()
                        .streams()
                        .find("client-1.shop")
                        .map(
                            c -> {
                              var s = c.status().get(TypeUrls.ROUTE);
                              return s != null && !s.ackedNonce().isEmpty();
                            })
                        .orElse(false)
                    && cp.pipeline()
                        .streams()
                        .find("web-2.shop")
                        .map(c -> c.status().get(TypeUrls.CLUSTER).nackCount() == 1)
                        .orElse(false));

        String dom =
            browse(
                browser,
                dir.resolve("profile"),
                "http://127.0.0.1:" + cp.debugPort() + "/debug",
                "--dump-dom");
        assertThat(dom).contains("data-loaded=\"true\"");
        assertThat(dom).contains("control plane istio-system");
        assertThat(dom)
            .contains("<td>shop</td>")
            .contains("pending: namespace not-yet-created does not exist");
        assertThat(row(dom, "client-1.shop")).contains(">SYNCED<").doesNotContain("STALE");
        assertThat(row(dom, "web-2.shop"))
            .contains("STALE (Never Acknowledged)")
            .contains("cluster: cluster refused by the test proxy");
        assertThat(row(dom, "VirtualService shop/bad-regex"))
            .contains("spec.http[0].match[0].uri.regex")
            .contains("invalid RE2 regular expression");
        assertThat(dom).contains("class=\"push\"");
        // The analysis, by namespace: the route to a subset no DestinationRule defines.
        assertThat(row(dom, "IST0101"))
            .contains("<td>shop</td>")
            .contains(">Error<")
            .contains("VirtualService shop/web")
            .contains("spec.http[0].route[0].destination.subset")
            .contains("Referenced host+subset in destinationrule not found: \"web+v9\"");
        assertThat(dom).contains("2 errors, 0 warnings, 0 info");

        if (System.getenv("MIZZEN_SCREENSHOT") != null) {
          browse(
              browser,
              dir.resolve("profile2"),
              "http://127.0.0.1:" + cp.debugPort() + "/debug",
              "--screenshot=" + Path.of(System.getenv("MIZZEN_SCREENSHOT")).toAbsolutePath(),
              "--hide-scrollbars");
        }
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  /** The table row that mentions {@code text}. */
  private static String row(String dom, String text) {
    int at = dom.indexOf(text);
    assertThat(at).as("page mentions " + text).isGreaterThanOrEqualTo(0);
    int start = dom.lastIndexOf("<tr", at);
    int end = dom.indexOf("</tr>", at);
    return dom.substring(start, end);
  }
}
