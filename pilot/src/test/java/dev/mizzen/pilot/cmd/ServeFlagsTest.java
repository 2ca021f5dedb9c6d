package dev.mizzen.pilot.cmd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Flags of {@code serve} that do not go together, refused with the reason before anything starts.
 */
class ServeFlagsTest {
  @TempDir Path dir;

  private record Run(int exit, String err) {}

  private static Run serve(String... args) {
    PrintStream before = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      String[] all = new String[args.length + 1];
      all[0] = "serve";
      System.arraycopy(args, 0, all, 1, args.length);
      int exit = new CommandLine(new Mizzen()).execute(all);
      return new Run(exit, err.toString(StandardCharsets.UTF_8).trim());
    } finally {
      System.setErr(before);
    }
  }

  @Test
  void iorRunsOnlyUnderTheMemberControllersLease() {
    assertThat(serve("--kube", "--ior"))
        .isEqualTo(
            new Run(
                2,
                "mizzen: --ior needs --manage-members: Routes are written under the member controller's Lease (or run"
                    + " `mizzen member-controller --ior`)"));
  }

  @Test
  void injectionNeedsItsCertificateAndASecurePortToPointAt() throws Exception {
    assertThat(serve("--inject"))
        .isEqualTo(
            new Run(
                2,
                "mizzen: --inject needs --webhook-cert and --webhook-key: the API server calls webhooks over HTTPS"));
    assertThat(serve("--inject", "--webhook-cert", "c.pem", "--webhook-key", "k.pem"))
        .isEqualTo(
            new Run(
                2,
                "mizzen: --inject points proxies at the secure xDS port: give --tls-cert, --tls-key and --ca-cert, or the"
                    + " --discovery-address of a control plane that serves it"));
    assertThat(serve("--cni")).isEqualTo(new Run(2, "mizzen: --cni needs --inject"));
    assertThat(serve("--injection-template", "t.yaml"))
        .isEqualTo(
            new Run(2, "mizzen: --injection-template and --discovery-address need --inject"));
    assertThat(serve("--webhook-cert", "c.pem"))
        .isEqualTo(
            new Run(
                2,
                "mizzen: --webhook-cert and --webhook-key need --inject or --validation-webhook"));
    assertThat(serve("--validation-webhook", "--webhook-key", "k.pem"))
        .isEqualTo(
            new Run(
                2,
                "mizzen: --validation-webhook needs --webhook-cert and --webhook-key: the API server calls webhooks over HTTPS"));
    Path template = Files.writeString(dir.resolve("t.yaml"), "containers: [{image: x}]\n");
    assertThat(
            serve(
                "--inject",
                "--webhook-cert",
                "c.pem",
                "--webhook-key",
                "k.pem",
                "--discovery-address",
                "cp:15012",
                "--injection-template",
                template.toString()))
        .isEqualTo(
            new Run(
                2, "mizzen: injection template " + template + ": containers[0].name: is required"));
  }

  @Test
  void inAClusterProxiesGetAPortThatProvesTheirNamespace() {
    // Mizzen's own CA serves the secure port in a cluster; with an external one, files are needed.
    assertThat(serve("--kube", "--ca", "external"))
        .isEqualTo(
            new Run(
                2,
                "mizzen: with an external CA proxies connect to the secure xDS port: give --tls-cert,"
                    + " --tls-key and --ca-cert (or --plaintext-xds, which lets any pod that reaches the"
                    + " port read any member's config)"));
    assertThat(serve("--ca", "vault"))
        .isEqualTo(new Run(2, "mizzen: --ca is mizzen or external, not vault"));
    assertThat(serve("--ca", "external", "--ca-dir", "/tmp"))
        .isEqualTo(
            new Run(2, "mizzen: --ca-dir is for --ca mizzen; an external CA keeps its own keys"));
  }

  @Test
  void xdsLimitsMustBePositive() {
    assertThat(serve("--xds-max-resource-names", "0"))
        .isEqualTo(new Run(2, "mizzen: --xds-max-resource-names must be positive, not 0"));
    assertThat(serve("--xds-max-connections-per-address", "-1"))
        .isEqualTo(
            new Run(2, "mizzen: --xds-max-connections-per-address must be positive, not -1"));
    assertThat(serve("--xds-max-new-streams-per-second", "-5"))
        .isEqualTo(
            new Run(
                2, "mizzen: --xds-max-new-streams-per-second must be positive, or 0 for no limit"));
  }
}
