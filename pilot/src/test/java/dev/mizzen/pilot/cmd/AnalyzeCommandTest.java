package dev.mizzen.pilot.cmd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code mizzen analyze}: istioctl's lines, and exit codes 0, 1 and 2 by the worst message. */
class AnalyzeCommandTest {
  @TempDir Path dir;

  private record Run(int exit, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cmd = new CommandLine(new Mizzen());
    cmd.setOut(new PrintWriter(out));
    cmd.setErr(new PrintWriter(err));
    int exit = cmd.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  private static final String SERVICE =
      """
      apiVersion: v1
      kind: Service
      metadata: {name: web, namespace: shop}
      spec: {ports: [{name: http, port: 8080}]}
      """;

  private static final String ROUTE_TO_GONE =
      """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: web, namespace: shop}
      spec:
        hosts: [web]
        http:
        - route: [{destination: {host: gone}}]
        - route: [{destination: {host: gone}}]
      """;

  private static final String POLICY_FOR_NOBODY =
      """
      apiVersion: security.istio.io/v1
      kind: AuthorizationPolicy
      metadata: {name: admins, namespace: shop}
      spec:
        selector: {matchLabels: {app: admin}}
        action: ALLOW
        rules: [{to: [{operation: {methods: [GET]}}]}]
      """;

  @Test
  void nothingToReportExitsZero() throws Exception {
    Files.writeString(dir.resolve("web.yaml"), SERVICE);
    Run r = run("analyze", "-f", dir.toString());
    assertThat(r.exit()).isZero();
    assertThat(r.out())
        .isEqualTo(
            "No validation issues found when analyzing 1 file (namespaces istio-system, shop).\n");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void infoAloneExitsZero() throws Exception {
    Files.writeString(
        dir.resolve("web.yaml"),
        SERVICE.replace("{name: http, port: 8080}", "{name: web, port: 8080}"));
    Run r = run("analyze", "-f", dir.toString());
    assertThat(r.exit()).isZero();
    assertThat(r.out())
        .isEqualTo(
            "Info [IST0118] (Service shop/web "
                + dir.resolve("web.yaml")
                + ":1) Port name web (port: 8080, targetPort: 8080) doesn't follow the naming"
                + " convention of Istio port.\n");
  }

  @Test
  void warningsAloneExitOne() throws Exception {
    Files.writeString(dir.resolve("policy.yaml"), POLICY_FOR_NOBODY);
    Run r = run("analyze", "-f", dir.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out())
        .isEqualTo(
            "Warning [IST0127] (AuthorizationPolicy shop/admins "
                + dir.resolve("policy.yaml")
                + ":1) No matching workloads for this resource with the following labels:"
                + " app=admin\n");
    assertThat(r.err())
        .startsWith(
            "Error: Analyzers found issues when analyzing 1 file (namespaces istio-system, shop).");
  }

  @Test
  void anErrorExitsTwoAndEachLineIsPrintedOnce() throws Exception {
    Files.writeString(dir.resolve("web.yaml"), SERVICE + "---\n" + ROUTE_TO_GONE);
    Files.writeString(dir.resolve("policy.yaml"), POLICY_FOR_NOBODY);
    Run r = run("analyze", "-f", dir.toString());
    assertThat(r.exit()).isEqualTo(2);
    // Errors first, as istioctl orders them; two routes to one missing host make one line.
    assertThat(r.out())
        .isEqualTo(
            "Error [IST0101] (VirtualService shop/web "
                + dir.resolve("web.yaml")
                + ":6) Referenced host not found: \"gone\"\n"
                + "Warning [IST0127] (AuthorizationPolicy shop/admins "
                + dir.resolve("policy.yaml")
                + ":1) No matching workloads for this resource with the following labels:"
                + " app=admin\n");
  }

  @Test
  void anInvalidObjectIsAnError() throws Exception {
    Files.writeString(
        dir.resolve("web.yaml"), ROUTE_TO_GONE.replace("host: gone}", "host: gone}, weight: x"));
    Run r = run("analyze", "-f", dir.toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.out())
        .contains(
            "Error [IST0106] (VirtualService shop/web "
                + dir.resolve("web.yaml")
                + ":1) Schema validation error: spec.http[0].route[0].weight: wrong type: expected"
                + " integer");
  }

  @Test
  void jsonListsEveryMessageWithItsField() throws Exception {
    Files.writeString(dir.resolve("web.yaml"), SERVICE + "---\n" + ROUTE_TO_GONE);
    Run r = run("analyze", "-o", "json", "-f", dir.toString());
    assertThat(r.exit()).isEqualTo(2);
    JsonNode list = new ObjectMapper().readTree(r.out());
    assertThat(list).hasSize(1);
    JsonNode m = list.get(0);
    assertThat(m.path("code").asText()).isEqualTo("IST0101");
    assertThat(m.path("name").asText()).isEqualTo("ReferencedResourceNotFound");
    assertThat(m.path("level").asText()).isEqualTo("Error");
    assertThat(m.path("origin").asText()).isEqualTo("VirtualService shop/web");
    assertThat(m.path("reference").asText()).isEqualTo(dir.resolve("web.yaml") + ":6");
    assertThat(m.path("field").asText()).isEqualTo("spec.http[0].route[0].destination.host");
    assertThat(m.path("message").asText()).isEqualTo("Referenced host not found: \"gone\"");
    assertThat(m.path("documentationUrl").asText())
        .isEqualTo("https://istio.io/latest/docs/reference/config/analysis/ist0101/");
  }

  @Test
  void aMissingPathExitsTwoWithWhy() {
    Run r = run("analyze", "-f", dir.resolve("nothing-here").toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err())
        .isEqualTo("error: the path \"" + dir.resolve("nothing-here") + "\" does not exist\n");
    Run bad = run("analyze", "-o", "yaml", "-f", dir.toString());
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).isEqualTo("error: --output must be log or json, not \"yaml\"\n");
  }
}
