package dev.mizzen.ingest.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.re2j.PatternSyntaxException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class Re2ProgramSizeTest {
  /** RE2's own figures for a corpus of patterns, made by src/test/re2/program_size.cc. */
  private static final Path TABLE = Path.of("src/test/re2/program_sizes.tsv");

  @Test
  void everyPatternOfTheCorpusHasRe2sOwnProgramSize() throws IOException {
    List<String> lines = Files.readAllLines(TABLE, StandardCharsets.UTF_8);
    assertThat(lines).hasSizeGreaterThan(500);
    List<String> wrong = new ArrayList<>();
    int exact = 0;
    int unicodeTables = 0;
    for (String line : lines) {
      int tab = line.indexOf('\t');
      String expected = line.substring(0, tab);
      String pattern = line.substring(tab + 1);
      String actual;
      try {
        int size = Re2ProgramSize.of(pattern);
        actual = size == Re2ProgramSize.TOO_LARGE ? "error" : Integer.toString(size);
      } catch (PatternSyntaxException e) {
        actual = "error";
      }
      if (actual.equals(expected)) {
        exact++;
      } else if (pattern.matches(".*\\\\[pP].*")) {
        // Unicode property classes: RE2J's Unicode tables are older than RE2's (which follow
        // Unicode's newer versions), so the classes hold fewer ranges.
        unicodeTables++;
      } else {
        wrong.add(pattern + ": RE2 " + expected + ", Mizzen " + actual);
      }
    }
    assertThat(wrong).isEmpty();
    assertThat(exact).isEqualTo(lines.size() - unicodeTables);
    assertThat(exact).isGreaterThan(700);
  }

  @Test
  void nestedCountedRepetitionsPastRe2sLimitAreRefused() {
    assertThatThrownBy(() -> Re2ProgramSize.of("(a{100}){100}"))
        .isInstanceOf(PatternSyntaxException.class)
        .hasMessageContaining("nested repetition counts multiply to more than 1000");
    assertThat(Re2ProgramSize.of("(a{10}){100}")).isPositive();
  }

  @Test
  void aPatternNestedTooDeeplyIsReportedNotThrown() {
    String deep = "(".repeat(50_000) + "a" + ")".repeat(50_000);
    assertThat(StringMatches.regexProblem(deep))
        .isEqualTo("regular expression nested too deeply to check");
    assertThat(StringMatches.regexProblem("(".repeat(100) + "a" + ")".repeat(100))).isNull();
  }
}
