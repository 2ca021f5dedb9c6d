package dev.mizzen.ingest.file;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

import dev.mizzen.ingest.parse.ManifestParser;
import dev.mizzen.ingest.store.ConfigStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every {@code *.yaml} and {@code *.yml} file under a directory, recursively, into a {@link
 * ConfigStore}, and keeps the store in step as files are added, changed and deleted. Each file is
 * one store key, so editing a file replaces exactly what it defined.
 */
public final class DirectorySource implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DirectorySource.class);

  private final Path root;
  private final ConfigStore store;
  private final ManifestParser parser = new ManifestParser();
  private final Duration settle;
  private final Map<Path, String> lastContent = new HashMap<>();
  private WatchService watcher;
  private Thread thread;
  private volatile boolean closed;

  /**
   * @param root the directory to read
   * @param store where to put what is read
   * @param settle how long to wait after a file event for the burst of events an editor makes
   */
  public DirectorySource(Path root, ConfigStore store, Duration settle) {
    this.root = root;
    this.store = store;
    this.settle = settle;
  }

  public DirectorySource(Path root, ConfigStore store) {
    this(root, store, Duration.ofMillis(50));
  }

  public Path root() {
    return root;
  }

  /** Reads the whole directory into the store, then watches it on a background thread. */
  public synchronized void start() throws IOException {
    if (!Files.isDirectory(root)) {
      throw new NoSuchFileException(root.toString(), null, "not a directory");
    }
    watcher = FileSystems.getDefault().newWatchService();
    registerAll();
    rescan();
    thread = new Thread(this::watch, "mizzen-directory-source");
    thread.setDaemon(true);
    thread.start();
  }

  /** The number of files read at the last scan. */
  public synchronized int fileCount() {
    return lastContent.size();
  }

  private void watch() {
    while (!closed) {
      WatchKey key;
      try {
        key = watcher.take();
      } catch (InterruptedException | ClosedWatchServiceException e) {
        return;
      }
      try {
        // Editors save in several steps (write a temporary file, rename, touch): let them finish.
        TimeUnit.NANOSECONDS.sleep(settle.toNanos());
      } catch (InterruptedException e) {
        return;
      }
      boolean newDirectories = false;
      do {
        for (var event : key.pollEvents()) {
          if (event.kind() == OVERFLOW || event.kind() == ENTRY_CREATE) {
            newDirectories = true;
          }
        }
        key.reset();
        key = watcher.poll();
      } while (key != null);
      try {
        synchronized (this) {
          if (closed) {
            return;
          }
          if (newDirectories) {
            registerAll();
          }
          rescan();
        }
      } catch (IOException | UncheckedIOException e) {
        log.warn("could not rescan {}: {}", root, e.toString());
      }
    }
  }

  private void registerAll() throws IOException {
    try (Stream<Path> dirs = Files.walk(root)) {
      for (Path dir : (Iterable<Path>) dirs.filter(Files::isDirectory)::iterator) {
        dir.register(watcher, ENTRY_CREATE, ENTRY_DELETE, ENTRY_MODIFY);
      }
    }
  }

  /** Compares the directory with what was read last and applies the difference. */
  private void rescan() throws IOException {
    Set<Path> files = new TreeSet<>(ManifestFiles.list(root));
    for (Path file : files) {
      var read = ManifestFiles.content(file);
      if (read.isEmpty()) {
        continue;
      }
      String content = read.get();
      if (content.equals(lastContent.get(file))) {
        continue;
      }
      lastContent.put(file, content);
      store.replace(ManifestFiles.key(file), ManifestFiles.parse(parser, file, content));
    }
    for (Path gone : List.copyOf(lastContent.keySet())) {
      if (!files.contains(gone)) {
        lastContent.remove(gone);
        store.remove(ManifestFiles.key(gone));
        log.info("config file {} removed", gone);
      }
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
  }
}
