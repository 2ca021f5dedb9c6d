package dev.mizzen.pilot.cmd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mizzen.pilot.app.ControlPlane;
import dev.mizzen.pilot.cache.TypeUrls;
import dev.mizzen.testing.mesh.MeshYaml;
import dev.mizzen.testing.xds.AdsTestStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class AdminCommandsTest {
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

  private static final String GOOD =
      """
      apiVersion: v1
      kind: Service
      metadata: {name: web, namespace: shop}
      spec: {ports: [{name: http, port: 8080}]}
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: web, namespace: shop}
      spec:
        hosts: [web]
        http: [{route: [{destination: {host: web, subset: v1}}]}]
      """;

  @Test
  void validatePassesGoodManifestsAndWarnsAcrossObjects() throws Exception {
    Files.writeString(dir.resolve("good.yaml"), GOOD);
    Run r = run("validate", "-f", dir.toString());
    assertThat(r.exit()).isZero();
    assertThat(r.out())
        .contains("service/web valid")
        .contains("virtualservice.networking.istio.io/web valid")
        .contains(
            "warning: "
                + dir.resolve("good.yaml")
                + ":6: VirtualService shop/web: spec.http[0].route[0].destination.subset: Error"
                + " [IST0101] Referenced host+subset in destinationrule not found: \"web+v1\"")
        .contains("2 valid, 0 refused, 0 served fail closed, 1 warnings in 1 files");
  }

  @Test
  void validateRefusesBadManifestsWithKubectlStyleMessages() throws Exception {
    Files.writeString(dir.resolve("good.yaml"), GOOD);
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(
        bad,
        """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: web, namespace: shop}
        spec: {hots: web}
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: web, namespace: shop}
        spec: {hosts: [web], http: [{route: [{destination: {host: web}}]}]}
        """);
    Run r = run("validate", "-f", dir.resolve("good.yaml").toString(), "-f", bad.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out())
        .contains("error: " + bad + ":1: DestinationRule shop/web: spec.hots: unknown field")
        // As when serving: of two definitions, the one whose file name sorts first wins.
        .contains(
            "error: "
                + dir.resolve("good.yaml")
                + ":6: VirtualService shop/web: metadata.name: duplicate: the same object is already defined at "
                + bad
                + ":6")
        .contains("2 valid, 2 refused, 0 served fail closed, 0 warnings in 2 files");
    assertThat(run("validate", "-f", dir.resolve("missing.yaml").toString()).err())
        .contains("error: the path \"" + dir.resolve("missing.yaml") + "\" does not exist");
  }

  @Test
  void validateReportsTextItCannotReadAsErrorsNotStackTraces() throws Exception {
    Path latin1 = dir.resolve("latin1.yaml");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.writeBytes(GOOD.getBytes(StandardCharsets.UTF_8));
    bytes.writeBytes(
        "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: caf"
            .getBytes(StandardCharsets.UTF_8));
    bytes.write(0xE9); // "é" in Latin-1
    bytes.writeBytes("}\n".getBytes(StandardCharsets.UTF_8));
    Files.write(latin1, bytes.toByteArray());
    Path duplicate = dir.resolve("duplicate.yaml");
    Files.writeString(
        duplicate,
        """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: web, namespace: shop}
        spec:
          host: web
          host: catalog
        """);

    Run r = run("validate", "-f", latin1.toString(), "-f", duplicate.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out())
        .contains(
            "error: " + latin1 + ":15: object: not UTF-8 text: invalid byte 0xE9 in column 21")
        .contains(
            "error: "
                + duplicate
                + ":6: DestinationRule shop/web: spec.host: duplicate key \"host\"")
        // The rest of the file with bytes that are not UTF-8 is still read.
        .contains("service/web valid")
        .contains("2 valid, 2 refused, 0 served fail closed, 1 warnings in 2 files");
    assertThat(r.out() + r.err()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  void proxyStatusAndConfigDumpReadALiveControlPlane() throws Exception {
    Files.writeString(dir.resolve("mesh.yaml"), MeshYaml.members("shop") + "---\n" + GOOD);
    try (ControlPlane cp = ControlPlane.start(ControlPlane.Options.forTest(dir, "istio-system"));
        AdsTestStream synced = new AdsTestStream(cp.xdsPort());
        AdsTestStream nacking = new AdsTestStream(cp.xdsPort())) {
      synced.request(AdsTestStream.sidecar("web-1", "shop"), TypeUrls.CLUSTER, List.of(), "", "");
      synced.ack(synced.next(), List.of());
      nacking.request(AdsTestStream.sidecar("web-2", "shop"), TypeUrls.CLUSTER, List.of(), "", "");
      var response = nacking.next();
      nacking.nack(response, List.of(), "no");
      AdsTestStream.await(
          () ->
              cp.pipeline()
                  .streams()
                  .find("web-2.shop")
                  .map(c -> c.status().get(TypeUrls.CLUSTER).nackCount() == 1)
                  .orElse(false));
      AdsTestStream.await(
          () ->
              cp.pipeline()
                  .streams()
                  .find("web-1.shop")
                  .map(c -> !c.status().get(TypeUrls.CLUSTER).ackedNonce().isEmpty())
                  .orElse(false));
      String server = "http://127.0.0.1:" + cp.debugPort();
      Run status = run("proxy-status", "--server", server);
      assertThat(status.exit()).as(status.err()).isZero();
      List<String> lines = status.out().lines().toList();
      assertThat(lines.get(0)).startsWith("NAME").contains("CDS", "LDS", "EDS", "RDS");
      assertThat(lines.get(1)).startsWith("web-1.shop").contains("SYNCED").contains("NOT SENT");
      assertThat(lines.get(2)).startsWith("web-2.shop").contains("STALE (Never Acknowledged)");

      Run dump = run("config-dump", "--server", server, "web-1.shop", "--types", "cluster");
      assertThat(dump.exit()).isZero();
      assertThat(dump.out())
          .contains("outbound|8080||web.shop.svc.cluster.local")
          .doesNotContain("ListenersConfigDump");
      Run missing = run("config-dump", "--server", server, "nobody.shop");
      assertThat(missing.exit()).isNotZero();
      assertThat(missing.err()).contains("proxy nobody.shop is not connected");
    }
  }

  @Test
  void kialisReadingOfNonces() {
    assertThat(ProxyStatusCommand.state("", "")).isEqualTo("NOT SENT");
    assertThat(ProxyStatusCommand.state("3", "3")).isEqualTo("SYNCED");
    assertThat(ProxyStatusCommand.state("3", "")).isEqualTo("STALE (Never Acknowledged)");
    assertThat(ProxyStatusCommand.state("4", "3")).isEqualTo("STALE");
  }
}
