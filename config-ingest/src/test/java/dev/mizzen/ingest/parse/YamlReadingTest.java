package dev.mizzen.ingest.parse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mizzen.ingest.model.Config;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Documents are bounded in size and checked for UTF-8 one by one. */
class YamlReadingTest {
  private final ManifestParser parser = new ManifestParser();

  private Config<?> accepted(String yaml) {
    List<ParseResult> results = parser.parse("mesh.yaml", yaml);
    assertThat(results).hasSize(1);
    assertThat(results.get(0).error()).isNull();
    return results.get(0).config();
  }

  @Test
  void aDocumentOverTheSizeLimitIsRefusedAndTheOthersKept() {
    String big =
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: big\n  annotations:\n    a: \""
            + "x".repeat(ManifestParser.MAX_DOCUMENT_BYTES)
            + "\"\n";
    List<ParseResult> results =
        parser.parse(
            "big.yaml",
            "apiVersion: v1\nkind: Namespace\nmetadata: {name: before}\n---\n"
                + big
                + "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: after}\n");
    assertThat(results).hasSize(3);
    assertThat(results.get(0).config().name()).isEqualTo("before");
    assertThat(results.get(1).error().message())
        .isEqualTo(
            "big.yaml:5: object: the document is "
                + big.length()
                + " bytes, over the limit of 2097152");
    assertThat(results.get(2).config().name()).isEqualTo("after");
  }

  @Test
  void aDocumentAtTheSizeLimitIsReadInAboutASecondAtWorst() {
    // One long token is what SnakeYAML scans slowest; this document is exactly at the limit, and
    // without a final line end, which the reader adds.
    String head =
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: big\n  annotations:\n    a: ";
    String yaml = head + "x".repeat(ManifestParser.MAX_DOCUMENT_BYTES - head.length());
    assertThat(yaml.getBytes(StandardCharsets.UTF_8)).hasSize(ManifestParser.MAX_DOCUMENT_BYTES);
    long start = System.nanoTime();
    Config<?> c = accepted(yaml);
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertThat(c.meta().annotations().get("a"))
        .hasSize(ManifestParser.MAX_DOCUMENT_BYTES - head.length());
    // About a second on a quiet machine; the bound leaves room for a busy one.
    assertThat(millis).as("took %d ms", millis).isLessThan(10_000);
  }

  @Test
  void bytesThatAreNotUtf8RefuseOnlyTheirDocument() {
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    file.writeBytes("apiVersion: v1\nkind: Namespace\nmetadata: {name: before}\n---\n".getBytes());
    file.writeBytes("apiVersion: v1\nkind: Namespace\nmetadata: {name: caf".getBytes());
    file.write(0xE9); // "é" in Latin-1
    file.writeBytes(
        "}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: after}\n".getBytes());
    List<ParseResult> results = parser.parse("latin1.yaml", file.toByteArray());
    assertThat(results).hasSize(3);
    assertThat(results.get(0).config().name()).isEqualTo("before");
    assertThat(results.get(1).error().message())
        .isEqualTo("latin1.yaml:7: object: not UTF-8 text: invalid byte 0xE9 in column 21");
    assertThat(results.get(2).config().name()).isEqualTo("after");
  }
}
