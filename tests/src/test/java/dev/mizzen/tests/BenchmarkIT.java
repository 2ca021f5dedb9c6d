package dev.mizzen.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mizzen.bench.Bench;
import dev.mizzen.bench.Curve;
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
 * JSON and chart are written; the same with the proxies speaking delta ADS; the scoped mesh alone,
 * as the ten-thousand-proxy run measures it; and the curve at two sizes. Its numbers are printed,
 * never asserted.
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
    assertThat(report.at("/protocol").asText()).isEqualTo("sotw");
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
    // Both processes' CPU, over the connect phase and over the changes.
    for (String cpu :
        List.of(
            "/mizzen/connect_cpu",
            "/java_control_plane/connect_cpu",
            "/scoped/connect_cpu",
            "/convergence/cpu",
            "/scoped_convergence/cpu")) {
      assertCpu(report.at(cpu), cpu);
    }
    assertThat(Files.readString(out.resolve("report.txt")))
        .contains("time until all ACKed", "namespace-scoped Sidecar", "Mizzen / load generator");
    assertThat(Files.readString(out.resolve("convergence.svg")))
        .startsWith("<svg")
        .contains("<path d=\"M");
  }

  /**
   * The proxies speak delta ADS, as Envoy does by default since Istio 1.22: every proxy ready, each
   * route change reaching every proxy with route configurations alone, and each churned pod with
   * the changed load assignments alone (the service's and the pod's subset's: a delta stream is
   * sent those two, so at most 2 a proxy and change).
   */
  @Test
  void runsWithDeltaAds() throws Exception {
    Path jar = Path.of("../pilot/target/mizzen.jar");
    int exit =
        new CommandLine(new Bench())
            .execute(
                "--delta",
                "--services",
                "50",
                "--namespaces",
                "5",
                "--proxies",
                "50",
                "--slow-readers",
                "1",
                "--skip-baseline",
                "--churn-seconds",
                "2",
                "--churn-rate",
                "5",
                "--churn-burst",
                "10",
                "--check-envoy-rules",
                "--warmup-changes",
                "1",
                "--changes",
                "2",
                "--mizzen-jar",
                jar.toString(),
                "--java-opts",
                "-Xmx256m",
                "--out",
                out.toString(),
                "--timeout",
                "120");
    Path violations = out.resolve("envoy-rule-violations.txt");
    assertThat(Files.exists(violations) ? Files.readString(violations) : "")
        .as("resources served that break Envoy's validation rules")
        .isEmpty();
    assertThat(exit).isZero();
    JsonNode report = new ObjectMapper().readTree(Files.readString(out.resolve("report.json")));
    assertThat(report.at("/protocol").asText()).isEqualTo("delta");
    assertThat(report.at("/mizzen/ready").asInt()).isEqualTo(49);
    assertThat(report.at("/convergence/updated").asInt()).isEqualTo(98);
    assertThat(report.at("/convergence/missed").asInt()).isZero();
    assertThat(report.at("/convergence/pushed").fieldNames())
        .toIterable()
        .containsExactly("RouteConfiguration");
    assertThat(report.at("/scoped/ready").asInt()).isEqualTo(49);
    assertThat(report.at("/scoped_convergence/updated").asInt()).isEqualTo(20);
    assertThat(report.at("/scoped_convergence/missed").asInt()).isZero();
    assertThat(report.at("/scoped_convergence/pushed").fieldNames())
        .toIterable()
        .containsExactly("RouteConfiguration");
    for (String churn : List.of("churn_steady", "churn_burst")) {
      JsonNode c = report.path(churn);
      assertThat(c.path("completed").asInt()).as(churn).isEqualTo(10);
      assertThat(c.path("missed").asInt()).as(churn).isZero();
      assertThat(c.path("other_responses").asLong()).as(churn).isZero();
      assertThat(c.path("assignments_per_proxy_change").asDouble())
          .as(churn)
          .isLessThanOrEqualTo(2.0);
    }
    assertThat(Files.readString(out.resolve("report.txt"))).contains("delta (incremental) xDS");
  }

  private static void assertCpu(JsonNode cpu, String what) {
    assertThat(cpu.isObject()).as(what).isTrue();
    assertThat(cpu.path("control_plane_s").asDouble(-1)).as(what).isGreaterThanOrEqualTo(0);
    assertThat(cpu.path("generator_s").asDouble(-1)).as(what).isGreaterThanOrEqualTo(0);
    assertThat(cpu.path("wall_s").asDouble()).as(what).isPositive();
  }

  @Test
  void measuresTheScopedMeshAlone() throws Exception {
    Path jar = Path.of("../pilot/target/mizzen.jar");
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
                "--skip-unscoped",
                "--skip-baseline",
                "--churn-seconds",
                "0",
                "--warmup-changes",
                "1",
                "--changes",
                "2",
                "--mizzen-jar",
                jar.toString(),
                "--java-opts",
                "-Xmx256m",
                "--out",
                out.toString(),
                "--timeout",
                "120");
    assertThat(exit).isZero();
    JsonNode report = new ObjectMapper().readTree(Files.readString(out.resolve("report.json")));
    assertThat(report.at("/mizzen").isNull()).isTrue();
    assertThat(report.at("/proxies_per_namespace").asInt()).isEqualTo(10);
    assertThat(report.at("/scoped/ready").asInt()).isEqualTo(49);
    // Each change reached the ten proxies of namespace 0 and no other proxy was sent routes.
    assertThat(report.at("/scoped_convergence/p99_per_change_s").size()).isEqualTo(2);
    assertThat(report.at("/scoped_convergence/updated").asInt()).isEqualTo(20);
    assertThat(report.at("/scoped_convergence/missed").asInt()).isZero();
    assertThat(report.at("/scoped_convergence/pushed/RouteConfiguration").asInt()).isEqualTo(20);
    assertThat(report.at("/scoped_convergence/pushed").size()).isEqualTo(1);
    assertThat(report.at("/scoped_idle_rss_bytes_per_proxy").isNumber()).isTrue();
    assertCpu(report.at("/scoped/connect_cpu"), "connect");
    assertCpu(report.at("/scoped_convergence/cpu"), "changes");
    assertThat(Files.readString(out.resolve("report.txt")))
        .contains("namespace-scoped Sidecar", "RSS per idle connected proxy");
    assertThat(Files.readString(out.resolve("convergence.svg"))).contains("<path d=\"M");
  }

  @Test
  void drawsTheCurveAtTwoSizes() throws Exception {
    Path jar = Path.of("../pilot/target/mizzen.jar");
    int exit =
        new CommandLine(new Curve())
            .execute(
                "--services",
                "50",
                "--namespaces",
                "5",
                "--sizes",
                "40,20",
                "--warmup-changes",
                "1",
                "--changes",
                "1",
                "--skip-warmup-run",
                "--mizzen-jar",
                jar.toString(),
                "--java-opts",
                "-Xmx256m",
                "--baseline-java-opts",
                "-Xmx512m",
                "--out",
                out.toString(),
                "--timeout",
                "120");
    assertThat(exit).isZero();
    JsonNode curve = new ObjectMapper().readTree(Files.readString(out.resolve("curve.json")));
    JsonNode points = curve.path("points");
    assertThat(points).hasSize(2);
    for (int i = 0; i < 2; i++) {
      JsonNode p = points.get(i);
      int proxies = i == 0 ? 20 : 40;
      assertThat(p.path("proxies").asInt()).isEqualTo(proxies);
      assertThat(p.at("/mizzen/ready").asInt()).isEqualTo(proxies);
      assertThat(p.at("/java_control_plane/ready").asInt()).isEqualTo(proxies);
      assertThat(p.at("/mizzen/rds_updated").asInt()).isEqualTo(proxies);
      assertThat(p.at("/mizzen/rds_missed").asInt()).isZero();
      assertCpu(p.at("/mizzen/connect_cpu"), "Mizzen connecting");
      assertCpu(p.at("/mizzen/change_cpu"), "Mizzen changing");
      assertCpu(p.at("/java_control_plane/connect_cpu"), "library connecting");
    }
    for (String e :
        List.of(
            "mizzen_all_acked",
            "java_control_plane_all_acked",
            "mizzen_peak_rss",
            "java_control_plane_peak_rss",
            "mizzen_rds_p99")) {
      assertThat(curve.path("exponents").path(e).isNumber()).as(e).isTrue();
    }
    assertThat(Files.readString(out.resolve("curve.txt"))).contains("Growth exponents");
    assertThat(Files.readString(out.resolve("curve.svg")))
        .startsWith("<svg")
        .contains("exponent", "java-control-plane", "<path d=\"M");
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
