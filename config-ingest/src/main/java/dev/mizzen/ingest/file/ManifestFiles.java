package dev.mizzen.ingest.file;

import dev.mizzen.ingest.model.ConfigError;
import dev.mizzen.ingest.parse.ManifestParser;
import dev.mizzen.ingest.parse.ParseResult;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.stream.Stream;

/**
 * How manifest files are found and read, for the directory source and the offline validator alike,
 * so that both see the same files, the same objects and the same store keys.
 */
public final class ManifestFiles {
  private static final String KEY_PREFIX = "file:";
  private static final String NOT_UTF8 = "\u0000not UTF-8";

  private ManifestFiles() {}

  /** The manifests under {@code root}, recursively, sorted: *.yaml and *.yml, not hidden. */
  public static List<Path> list(Path root) throws IOException {
    TreeSet<Path> files = new TreeSet<>();
    try (Stream<Path> all = Files.walk(root)) {
      all.filter(Files::isRegularFile).filter(ManifestFiles::isManifest).forEach(files::add);
    }
    return List.copyOf(files);
  }

  /**
   * The manifests under {@code root} that can be listed, sorted; each directory that cannot be read
   * is told to {@code unreadable} and skipped, so that one such directory never hides the others.
   */
  public static List<Path> list(Path root, BiConsumer<Path, IOException> unreadable)
      throws IOException {
    TreeSet<Path> files = new TreeSet<>();
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            if (attrs.isRegularFile() && isManifest(file)) {
              files.add(file);
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) {
            if (!(e instanceof NoSuchFileException)) {
              unreadable.accept(file, e);
            }
            return FileVisitResult.CONTINUE;
          }
        });
    return List.copyOf(files);
  }

  /** Whether {@code p} is read as a manifest. */
  public static boolean isManifest(Path p) {
    String name = p.getFileName().toString();
    return !name.startsWith(".") && (name.endsWith(".yaml") || name.endsWith(".yml"));
  }

  /** The store key of a file. */
  public static String key(Path file) {
    return KEY_PREFIX + file;
  }

  /** The file's content, a marker for text that is not UTF-8, or empty when it is gone. */
  static Optional<String> content(Path file) throws IOException {
    try {
      return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (CharacterCodingException e) {
      return Optional.of(NOT_UTF8);
    }
  }

  /** What {@code content}, read from {@code file}, holds. */
  static List<ParseResult> parse(ManifestParser parser, Path file, String content) {
    if (content.equals(NOT_UTF8)) {
      return List.of(
          ParseResult.refused(new ConfigError(file.toString(), "", "", "", "", "not UTF-8 text")));
    }
    return parser.parse(file.toString(), content);
  }

  /** Reads one file as the directory source reads it; empty when it is gone. */
  public static List<ParseResult> read(ManifestParser parser, Path file) throws IOException {
    Optional<String> content = content(file);
    return content.isEmpty() ? List.of() : parse(parser, file, content.get());
  }
}
