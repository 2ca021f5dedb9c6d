package dev.mizzen.ingest.file;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mizzen.ingest.parse.ManifestParser;
import dev.mizzen.ingest.parse.ParseResult;
import java.io.ByteArrayOutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files are read within a size bound, and each document of a file stands on its own. */
class ManifestFilesTest {
  @TempDir Path dir;

  private final ManifestParser parser = new ManifestParser();

  /** A file of {@code size} bytes that takes no room on disk. */
  private Path sparse(String name, long size) throws Exception {
    Path file = dir.resolve(name);
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(size);
    }
    return file;
  }

  @Test
  void aFileOverTheLimitIsRefusedWithoutBeingRead() throws Exception {
    Path big = sparse("big.yaml", 50L * 1024 * 1024);
    long start = System.nanoTime();
    List<ParseResult> results = ManifestFiles.read(parser, big);
    long millis = (System.nanoTime() - start) / 1_000_000;

    assertThat(millis).as("took %d ms", millis).isLessThan(1_000);
    assertThat(results)
        .singleElement()
        .satisfies(
            r ->
                assertThat(r.error().message())
                    .isEqualTo(
                        big + ": object: the file is 52428800 bytes, over the limit of 16777216"));
    assertThat(ManifestFiles.content(big)).contains(FileContent.overLimit(52428800));
  }

  @Test
  void aFileAtTheLimitIsRead() throws Exception {
    Path file = sparse("full.yaml", ManifestFiles.MAX_FILE_BYTES);
    assertThat(ManifestFiles.content(file).orElseThrow().bytes())
        .hasSize(ManifestFiles.MAX_FILE_BYTES);
    // Read, and its single document then refused for its own size, unparsed.
    assertThat(ManifestFiles.read(parser, file))
        .singleElement()
        .satisfies(
            r ->
                assertThat(r.error().reason())
                    .isEqualTo("the document is 16777216 bytes, over the limit of 2097152"));
  }

  @Test
  void aDocumentThatIsNotUtf8IsRefusedAndTheRestOfTheFileRead() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.writeBytes(
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\n"
            .getBytes(StandardCharsets.UTF_8));
    bytes.writeBytes("# Gr".getBytes(StandardCharsets.UTF_8));
    bytes.write(0xFC); // "ü" in Latin-1
    bytes.writeBytes(
        "ße\napiVersion: v1\nkind: Namespace\nmetadata: {name: other}\n"
            .getBytes(StandardCharsets.UTF_8));
    Path file = dir.resolve("mixed.yaml");
    Files.write(file, bytes.toByteArray());

    List<ParseResult> results = ManifestFiles.read(parser, file);
    assertThat(results).hasSize(2);
    assertThat(results.get(0).config().name()).isEqualTo("shop");
    assertThat(results.get(1).error().message())
        .isEqualTo(file + ":5: object: not UTF-8 text: invalid byte 0xFC in column 5");
  }
}
