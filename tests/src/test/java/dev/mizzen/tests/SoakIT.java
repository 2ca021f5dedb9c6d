package dev.mizzen.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mizzen.bench.Soak;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The soak at a reduced size, so that it keeps working: streams held with a change every few
 * seconds and some reconnecting at each sample. Every change must reach every stream and every
 * reconnected stream get its config back; the slopes are printed (the full run's figures are in
 * docs/benchmarks), never asserted.
 */
class SoakIT {
  @TempDir Path out;

  @Test
  void holdsStreamsThroughChangesAndReconnections() throws Exception {
    Path jar = Path.of("../pilot/target/mizzen.jar");
    assertThat(jar).as("mvn verify packages Mizzen before this module's tests").exists();
    int exit =
        new CommandLine(new Soak())
            .execute(
                "--services", "20",
                "--namespaces", "4",
                "--proxies", "60",
                "--seconds", "75",
                "--change-every", "5",
                "--sample-every", "15",
                "--reconnect-percent", "10",
                "--seed", "1",
                "--java-opts", "-Xmx256m",
                "--mizzen-jar", jar.toString(),
                "--timeout", "60",
                "--out", out.toString());
    JsonNode report = new ObjectMapper().readTree(Files.readString(out.resolve("soak.json")));
    assertThat(report.at("/missed").asInt()).as("changes that missed a stream").isZero();
    assertThat(report.at("/reconnect_failed").asInt()).isZero();
    assertThat(report.at("/changes").asInt()).isGreaterThanOrEqualTo(8);
    assertThat(report.at("/reconnected").asInt()).isGreaterThanOrEqualTo(12);
    assertThat(report.at("/samples").size()).isGreaterThanOrEqualTo(4);
    assertThat(report.at("/samples/0/heap_after_gc").asLong()).isPositive();
    assertThat(Files.readString(out.resolve("soak.txt"))).contains("slopes per minute");
    assertThat(exit).isZero();
  }
}
