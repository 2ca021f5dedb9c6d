package dev.mizzen.ingest.file;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import dev.mizzen.ingest.parse.ManifestParser;
import dev.mizzen.ingest.parse.ParseResult;
import dev.mizzen.ingest.store.ConfigStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every {@code *.yaml} and {@code *.yml} file under a directory, recursively, into a {@link
 * ConfigStore}, and keeps the store in step as files are added, changed and deleted. Each file is
 * one store key, so editing a file replaces exactly what it defined.
 *
 * <p>What a directory can do to a control plane is bounded. A file that changes (or disappears) is
 * applied only once it has stayed as it is for {@link #stable}, so a file being written, or deleted
 * and written again, is never pushed half-way. A change that leaves a YAML syntax error in a file
 * that had none is held, the file's last content still served, for up to {@link #BROKEN_GRACE},
 * since that is how a file being written looks; after that it is applied and its errors reported.
 * Files are parsed off the watch thread, each within {@link #PARSE_TIMEOUT}. A file or directory
 * that cannot be read is reported once by name and skipped; what it held before stays served.
 */
public final class DirectorySource implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DirectorySource.class);

  /** How long a change with a YAML syntax error is held before it is applied anyway. */
  static final Duration BROKEN_GRACE = Duration.ofSeconds(5);

  /** How long to wait after a file event for the rest of the burst an editor makes. */
  public static final Duration SETTLE = Duration.ofMillis(50);

  /** How long a changed file must stay as it is before it is applied, unless told otherwise. */
  public static final Duration STABLE = Duration.ofMillis(300);

  /** The least time between two looks at changes that wait. */
  private static final long RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  /** The longest one file may take to parse; a slower one is refused. */
  static final Duration PARSE_TIMEOUT = Duration.ofSeconds(10);

  private final Path root;
  private final ConfigStore store;
  private final ManifestParser parser = new ManifestParser();
  private final Duration settle;
  private final Duration stable;
  private final Duration parseTimeout;
  private final FileAccess files;

  /** The content last applied, per file. */
  private final Map<Path, FileContent> applied = new HashMap<>();

  /** How many documents of each applied file have a YAML syntax error. */
  private final Map<Path, Long> appliedSyntaxErrors = new HashMap<>();

  /** Changes seen but not yet applied, per file: the content (null: gone) and since when. */
  private final Map<Path, Pending> pending = new HashMap<>();

  /** Files and directories that could not be read, reported once each. */
  private final Set<Path> unreadable = new HashSet<>();

  private ExecutorService parsing = newParser();
  private WatchService watcher;
  private Thread thread;
  private volatile boolean closed;

  private record Pending(FileContent content, long sinceNanos, List<ParseResult> parsed) {}

  /**
   * @param root the directory to read
   * @param store where to put what is read
   * @param settle how long to wait after a file event for the burst of events an editor makes
   * @param stable how long a changed or vanished file must stay as it is before it is applied
   */
  public DirectorySource(Path root, ConfigStore store, Duration settle, Duration stable) {
    this(root, store, settle, stable, PARSE_TIMEOUT, FileAccess.DISK);
  }

  /**
   * A source whose changed files are applied once they have stayed as they are for {@code stable};
   * with zero, at once, and without waiting for the rest of an editor's burst of events either,
   * since files are then only ever moved in whole.
   */
  public static DirectorySource of(Path root, ConfigStore store, Duration stable) {
    return new DirectorySource(root, store, stable.isZero() ? Duration.ZERO : SETTLE, stable);
  }

  /** With another parse time bound, and the file system seen through {@code files}. */
  DirectorySource(
      Path root,
      ConfigStore store,
      Duration settle,
      Duration stable,
      Duration parseTimeout,
      FileAccess files) {
    this.root = root;
    this.store = store;
    this.settle = settle;
    this.stable = stable;
    this.parseTimeout = parseTimeout;
    this.files = files;
  }

  /**
   * How the source lists, reads and parses the directory's manifests: as they are on disk, unless a
   * test makes one of them fail or take long.
   */
  interface FileAccess {
    FileAccess DISK = new FileAccess() {};

    /**
     * The manifests under {@code root}; directories that cannot be read go to {@code unreadable}.
     */
    default List<Path> list(Path root, BiConsumer<Path, IOException> unreadable)
        throws IOException {
      return ManifestFiles.list(root, unreadable);
    }

    /** The file's content (see {@link ManifestFiles#content}); empty when it is gone. */
    default Optional<FileContent> content(Path file) throws IOException {
      return ManifestFiles.content(file);
    }

    /** What the file's content holds. */
    default List<ParseResult> parse(ManifestParser parser, Path file, FileContent content) {
      return ManifestFiles.parse(parser, file, content);
    }
  }

  public DirectorySource(Path root, ConfigStore store) {
    this(root, store, SETTLE, STABLE);
  }

  private static ExecutorService newParser() {
    return Executors.newSingleThreadExecutor(
        new ThreadFactoryBuilder().setNameFormat("mizzen-directory-parse").setDaemon(true).build());
  }

  public Path root() {
    return root;
  }

  /**
   * Reads the whole directory into the store (a file that cannot be read or parsed is reported and
   * the rest served), then watches it on a background thread.
   */
  public synchronized void start() throws IOException {
    if (!Files.isDirectory(root)) {
      throw new NoSuchFileException(root.toString(), null, "not a directory");
    }
    watcher = FileSystems.getDefault().newWatchService();
    registerAll();
    rescan(true);
    thread = new Thread(this::watch, "mizzen-directory-source");
    thread.setDaemon(true);
    thread.start();
  }

  /** The number of files whose content is applied. */
  public synchronized int fileCount() {
    return applied.size();
  }

  private void watch() {
    boolean waiting = false;
    while (!closed) {
      WatchKey key;
      try {
        // While changes wait to be stable, look again after that long even without events.
        // (At least every 100 ms: with no stability rule, only files held for a syntax error wait.)
        key =
            waiting
                ? watcher.poll(Math.max(stable.toNanos(), RECHECK_NANOS), TimeUnit.NANOSECONDS)
                : watcher.take();
      } catch (InterruptedException | ClosedWatchServiceException e) {
        return;
      }
      boolean newDirectories = false;
      if (key != null) {
        try {
          // Editors save in several steps (write a temporary file, rename, touch): let them finish.
          TimeUnit.NANOSECONDS.sleep(settle.toNanos());
        } catch (InterruptedException e) {
          return;
        }
        do {
          for (var event : key.pollEvents()) {
            if (event.kind() == OVERFLOW || event.kind() == ENTRY_CREATE) {
              newDirectories = true;
            }
          }
          key.reset();
          key = watcher.poll();
        } while (key != null);
      }
      try {
        synchronized (this) {
          if (closed) {
            return;
          }
          if (newDirectories || !unreadable.isEmpty()) {
            registerAll();
          }
          waiting = rescan(false);
        }
      } catch (IOException | UncheckedIOException e) {
        if (closed) {
          return;
        }
        log.warn("could not rescan {}: {}", root, e.toString());
        waiting = true;
      }
    }
  }

  private void registerAll() throws IOException {
    for (Path dir : directories()) {
      try {
        dir.register(watcher, ENTRY_CREATE, ENTRY_DELETE, ENTRY_MODIFY);
      } catch (IOException e) {
        unreadable(dir, e);
      }
    }
  }

  private List<Path> directories() throws IOException {
    List<Path> dirs = new ArrayList<>();
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            dirs.add(dir);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) {
            return FileVisitResult.CONTINUE;
          }
        });
    return dirs;
  }

  /** Reports a file or directory that cannot be read, once. */
  private void unreadable(Path path, IOException e) {
    if (unreadable.add(path)) {
      log.warn(
          "cannot read {}: {}; skipping it, and keeping what it held",
          path,
          e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()));
    }
  }

  /**
   * Compares the directory with what was applied and applies the changes that are ready. Returns
   * whether changes are still waiting to be stable.
   */
  private boolean rescan(boolean initial) throws IOException {
    long now = System.nanoTime();
    Set<Path> unreadableNow = new HashSet<>();
    Set<Path> present = new TreeSet<>();
    for (Path file :
        files.list(
            root,
            (p, e) -> {
              unreadableNow.add(p);
              unreadable(p, e);
            })) {
      Optional<FileContent> read;
      try {
        read = files.content(file);
      } catch (IOException e) {
        unreadableNow.add(file);
        unreadable(file, e);
        if (!applied.containsKey(file)) {
          store.replace(ManifestFiles.key(file), ManifestFiles.unreadable(file, e));
        }
        continue;
      }
      if (read.isEmpty()) {
        continue;
      }
      present.add(file);
      if (unreadable.remove(file)) {
        log.info("{} can be read again", file);
      }
      FileContent content = read.get();
      if (content.equals(applied.get(file))) {
        pending.remove(file);
        continue;
      }
      if (initial) {
        apply(file, content, parse(file, content));
        continue;
      }
      Pending p = pending.get(file);
      if (p == null || !content.equals(p.content())) {
        // Changed again: it must stay like this for a while before it is applied (at once when
        // files are only ever moved in whole).
        p = new Pending(content, now, null);
        pending.put(file, p);
        if (!stable.isZero()) {
          continue;
        }
      }
      if (now - p.sinceNanos() < stable.toNanos()) {
        continue;
      }
      List<ParseResult> results = p.parsed() != null ? p.parsed() : parse(file, content);
      if (applied.containsKey(file)
          && syntaxErrors(results) > appliedSyntaxErrors.getOrDefault(file, 0L)
          && now - p.sinceNanos() < BROKEN_GRACE.toNanos()) {
        // Probably still being written: the last content stays served for now.
        pending.put(file, new Pending(content, p.sinceNanos(), results));
        continue;
      }
      apply(file, content, results);
      pending.remove(file);
    }
    unreadable.retainAll(unreadableNow);
    for (Path gone : List.copyOf(applied.keySet())) {
      if (present.contains(gone) || unreadableNow.contains(gone) || under(gone, unreadableNow)) {
        continue;
      }
      Pending p = pending.get(gone);
      if (!initial && (p == null || p.content() != null)) {
        pending.put(gone, new Pending(null, now, null));
        continue;
      }
      if (initial || now - p.sinceNanos() >= stable.toNanos()) {
        applied.remove(gone);
        appliedSyntaxErrors.remove(gone);
        pending.remove(gone);
        store.remove(ManifestFiles.key(gone));
        log.info("config file {} removed", gone);
      }
    }
    pending.keySet().removeIf(f -> !present.contains(f) && !applied.containsKey(f));
    return !pending.isEmpty();
  }

  private static boolean under(Path file, Set<Path> directories) {
    for (Path dir : directories) {
      if (file.startsWith(dir)) {
        return true;
      }
    }
    return false;
  }

  private void apply(Path file, FileContent content, List<ParseResult> results) {
    applied.put(file, content);
    appliedSyntaxErrors.put(file, syntaxErrors(results));
    store.replace(ManifestFiles.key(file), results);
  }

  private static long syntaxErrors(List<ParseResult> results) {
    return results.stream()
        .filter(r -> !r.isAccepted() && r.error() != null)
        .filter(r -> r.error().reason().startsWith("YAML syntax error"))
        .count();
  }

  /** Parses off the watch thread, within the parse time bound. */
  private List<ParseResult> parse(Path file, FileContent content) {
    Future<List<ParseResult>> f = parsing.submit(() -> files.parse(parser, file, content));
    try {
      return f.get(parseTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      // The parser cannot be stopped; it finishes on its own, and its answer is not waited for.
      parsing.shutdownNow();
      parsing = newParser();
      log.warn("{} took longer than {} to parse; refused", file, parseTimeout);
      return ManifestFiles.refused(
          file, "the file took longer than " + parseTimeout.toMillis() + " ms to parse");
    } catch (ExecutionException e) {
      log.error("parsing {} failed", file, e.getCause());
      return ManifestFiles.refused(file, "the file could not be read: " + e.getCause());
    } catch (InterruptedException e) {
      // Closing: nothing is applied.
      Thread.currentThread().interrupt();
      throw new UncheckedIOException(new java.io.InterruptedIOException("closing"));
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (watcher != null) {
      try {
        watcher.close();
      } catch (IOException e) {
        log.debug("closing watcher", e);
      }
    }
    if (thread != null) {
      thread.interrupt();
    }
    parsing.shutdownNow();
  }
}
