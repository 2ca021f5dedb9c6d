package dev.mizzen.pilot.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mizzen.ingest.parse.ManifestParser;
import dev.mizzen.ingest.store.ConfigSnapshot;
import dev.mizzen.ingest.store.ConfigStore;
import dev.mizzen.pilot.control.Verdict;
import dev.mizzen.pilot.push.MeshSettings;
import dev.mizzen.tenancy.MemberRollResolver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One case per analyzer: each folder under {@code analysis/} holds {@code input.yaml} (with the
 * member roll of istio-system) and {@code expected.txt}, the messages as {@code mizzen analyze}
 * prints them, each followed by its field. Run with {@code -Dupdate-golden} to rewrite the expected
 * files; review the diff.
 */
class AnalysisGoldenTest {
  private static final Path ROOT = Path.of("src/test/resources/analysis");
  private static final boolean UPDATE =
      Boolean.parseBoolean(System.getProperty("update-golden", "false"));

  static Stream<String> cases() throws IOException {
    try (Stream<Path> dirs = Files.list(ROOT)) {
      return dirs
          .filter(Files::isDirectory)
          .map(p -> p.getFileName().toString())
          .sorted()
          .toList()
          .stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void matchesGolden(String name) throws IOException {
    Path dir = ROOT.resolve(name);
    ConfigStore store = new ConfigStore();
    store.replace(
        "input.yaml",
        new ManifestParser().parse("input.yaml", Files.readString(dir.resolve("input.yaml"))));
    ConfigSnapshot all = store.snapshot();
    Verdict verdict =
        Verdict.of(
            all,
            new MemberRollResolver("istio-system", "default").resolve(all),
            MeshSettings.defaults("istio-system"),
            1,
            Instant.EPOCH);
    StringBuilder actual = new StringBuilder();
    for (AnalysisMessage m : verdict.analysis().messages()) {
      actual.append(m.line()).append('\n');
      if (!m.field().isEmpty()) {
        actual.append("  field: ").append(m.field()).append('\n');
      }
    }
    Path expected = dir.resolve("expected.txt");
    if (UPDATE) {
      Files.writeString(expected, actual.toString());
      return;
    }
    assertThat(expected).as("golden file (create it with -Dupdate-golden)").exists();
    assertThat(actual.toString()).as(expected.toString()).isEqualTo(Files.readString(expected));
  }
}
