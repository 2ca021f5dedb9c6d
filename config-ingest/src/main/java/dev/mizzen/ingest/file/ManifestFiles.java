package dev.mizzen.ingest.file;

import dev.mizzen.ingest.model.ConfigError;
import dev.mizzen.ingest.parse.ManifestParser;
import dev.mizzen.ingest.parse.ParseResult;
import java.io.IOException;
import java.io.InputStream;
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
  /**
   * The largest manifest file read, in bytes; a larger one is refused before it is read, so that no
   * file makes the control plane hold more of its text than this. Eight documents of {@link
   * ManifestParser#MAX_DOCUMENT_BYTES}, each of them slow to scan at worst, still parse within the
   * directory source's time bound.
   */
  public static final int MAX_FILE_BYTES = 16 * 1024 * 1024;

  private static final String KEY_PREFIX = "file:";

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

  /**
   * The file's content, or only its size when it is over {@link #MAX_FILE_BYTES}: such a file is
   * never read into memory. Empty when the file is gone.
   */
  static Optional<FileContent> content(Path file) throws IOException {
    try {
      long size = Files.size(file);
      if (size > MAX_FILE_BYTES) {
        return Optional.of(FileContent.overLimit(size));
      }
      try (InputStream in = Files.newInputStream(file)) {
        // The file may have grown since its size was taken.
        byte[] bytes = in.readNBytes(MAX_FILE_BYTES + 1);
        if (bytes.length > MAX_FILE_BYTES) {
          return Optional.of(FileContent.overLimit(Math.max(bytes.length, Files.size(file))));
        }
        return Optional.of(FileContent.of(bytes));
      }
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  /** The verdict on a whole file refused for {@code reason}, as serving and validate give it. */
  public static List<ParseResult> refused(Path file, String reason) {
    return List.of(ParseResult.refused(new ConfigError(file.toString(), "", "", "", "", reason)));
  }

  /** The verdict on a file that could not be read. */
  public static List<ParseResult> unreadable(Path file, IOException e) {
    return refused(file, "the file cannot be read: " + e);
  }

  /** What {@code content}, read from {@code file}, holds. */
  static List<ParseResult> parse(ManifestParser parser, Path file, FileContent content) {
    if (content.isOverLimit()) {
      return refused(
          file, "the file is " + content.size() + " bytes, over the limit of " + MAX_FILE_BYTES);
    }
    return parser.parse(file.toString(), content.bytes());
  }

  /** Reads one file as the directory source reads it; empty when it is gone. */
  public static List<ParseResult> read(ManifestParser parser, Path file) throws IOException {
    Optional<FileContent> content = content(file);
    return content.isEmpty() ? List.of() : parse(parser, file, content.get());
  }
}
