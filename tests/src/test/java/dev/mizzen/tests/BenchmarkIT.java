package dev.mizzen.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mizzen.bench.Bench;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The benchmark at a small size, so that it keeps working: every proxy gets every type, the change
 * reaches every proxy with RDS alone (with namespace-scoped Sidecars, only the proxies that import
 * the changed service), every resource served follows Envoy's validation rules, and the report,
 * JSON and chart are written. Its numbers are printed, never asserted.
 */
class BenchmarkIT {
  @TempDir Path out;

  @Test
  void runsAtASmallSizeAndReports() throws Exception {
    Path jar = Path.of("../pilot/target/mizzen.jar");
    assertThat(jar).as("mvn verify packages Mizzen before this module's tests").exists();
    int exit =
        new CommandLine(new Bench())
            .execute(
                "--services",
                "50",
                "--namespaces",
                "5",
                "--proxies",
                "50",
                "--slow-readers",
                "1",
                "--mizzen-jar",
                jar.toString(),
                "--java-opts",
                "-Xmx256m",
                "--baseline-java-opts",
                "-Xmx512m",
                "--warmup-changes",
                "1",
                "--changes",
                "2",
                "--out",
                out.toString(),
                "--timeout",
                "120",
                "--churn-seconds",
                "2",
                "--churn-rate",
                "5",
                "--churn-burst",
                "10",
                "--check-envoy-rules");
    Path violations = out.resolve("envoy-rule-violations.txt");
    assertThat(Files.exists(violations) ? Files.readString(violations) : "")
        .as("resources served that break Envoy's validation rules")
        .isEmpty();
    assertThat(exit).isZero();
    JsonNode report = new ObjectMapper().readTree(Files.readString(out.resolve("report.json")));
    assertThat(report.at("/mizzen/ready").asInt()).isEqualTo(49);
    assertThat(report.at("/java_control_plane/ready").asInt()).isEqualTo(49);
    // Two changes measured, one at a time, each reaching every proxy.
    assertThat(report.at("/convergence/changes").asInt()).isEqualTo(2);
    assertThat(report.at("/convergence/p99_per_change_s").size()).isEqualTo(2);
    assertThat(report.at("/convergence/updated").asInt()).isEqualTo(98);
    assertThat(report.at("/convergence/missed").asInt()).isZero();
    // Only the route configurations changed, so only they were pushed.
    assertThat(report.at("/convergence/pushed").fieldNames())
        .toIterable()
        .containsExactly("RouteConfiguration");
    // With a Sidecar per namespace, only the ten proxies of the changed service's namespace get
    // new routes at each change, and each proxy is sent less.
    assertThat(report.at("/scoped/ready").asInt()).isEqualTo(49);
    assertThat(report.at("/scoped_convergence/updated").asInt()).isEqualTo(20);
    assertThat(report.at("/scoped_convergence/missed").asInt()).isZero();
    assertThat(report.at("/scoped_convergence/pushed/RouteConfiguration").asInt()).isEqualTo(20);
    assertThat(report.at("/scoped_convergence/pushed").size()).isEqualTo(1);
    assertThat(report.at("/scoped/bytes").asLong()).isLessThan(report.at("/mizzen/bytes").asLong());
    // Endpoint churn: every replaced pod reaches every proxy, with load assignments alone, and
    // only the changed ones: the service's and the pod's subset's, 2 per proxy and change (a
    // full push would send all 150 of the mesh's).
    for (String churn : List.of("churn_steady", "churn_burst")) {
      JsonNode c = report.path(churn);
      assertThat(c.path("changes").asInt()).as(churn).isEqualTo(10);
      assertThat(c.path("completed").asInt()).as(churn).isEqualTo(10);
      assertThat(c.path("missed").asInt()).as(churn).isZero();
      assertThat(c.path("other_responses").asLong()).as(churn).isZero();
      assertThat(c.path("assignments_per_proxy_change").asDouble())
          .as(churn)
          .isLessThanOrEqualTo(2.5);
    }
    assertThat(Files.readString(out.resolve("report.txt")))
        .contains("time until all ACKed", "namespace-scoped Sidecar");
    assertThat(Files.readString(out.resolve("convergence.svg")))
        .startsWith("<svg")
        .contains("<path d=\"M");
  }

  @Test
  void measuresASmallControlPlane() throws Exception {
    Path jar = Path.of("../pilot/target/mizzen.jar");
    int exit =
        new CommandLine(new Bench())
            .execute(
                "--footprint",
                "--footprint-runs",
                "1",
                "--footprint-mesh",
                "../examples/mesh",
                "--footprint-jvm-options",
                "../deploy/jvm.options",
                "--footprint-planes",
                "2",
                "--mizzen-jar",
                jar.toString(),
                "--out",
                out.toString(),
                "--timeout",
                "120");
    assertThat(exit).isZero();
    // The training run made an archive, and every setting, the archive's among them, started.
    assertThat(out.resolve("mizzen.jsa")).exists();
    JsonNode rows =
        new ObjectMapper()
            .readTree(Files.readString(out.resolve("footprint.json")))
            .path("footprint");
    assertThat(rows).hasSize(5);
    for (JsonNode row : rows) {
      assertThat(row.path("ready_s").asDouble()).as(row.toString()).isPositive();
      assertThat(row.path("idle_rss_bytes").asLong()).as(row.toString()).isPositive();
    }
    assertThat(Files.readString(out.resolve("footprint.txt")))
        .contains("CDS archive")
        .contains("Mizzen's defaults");
    assertThat(rows.get(4).path("java_opts").asText())
        .contains("-XX:SharedArchiveFile=")
        .contains("-XX:+UseSerialGC");
    // Two control planes at once, each ready and measured.
    JsonNode planes =
        new ObjectMapper().readTree(Files.readString(out.resolve("footprint.json"))).path("planes");
    assertThat(planes.path("count").asInt()).isEqualTo(2);
    for (String field : List.of("rss_bytes", "pss_bytes")) {
      assertThat(planes.path(field)).hasSize(2);
      for (JsonNode v : planes.path(field)) {
        assertThat(v.asLong()).as(field).isPositive();
      }
    }
  }
}
