package dev.mizzen.ingest.file;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mizzen.ingest.model.Kind;
import dev.mizzen.ingest.parse.ManifestParser;
import dev.mizzen.ingest.parse.ParseResult;
import dev.mizzen.ingest.store.ConfigSnapshot;
import dev.mizzen.ingest.store.ConfigStore;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectorySourceTest {
  @TempDir Path dir;

  private static String namespace(String name) {
    return "apiVersion: v1\nkind: Namespace\nmetadata: {name: " + name + "}\n";
  }

  private static void await(ConfigStore store, Predicate<ConfigSnapshot> condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!condition.test(store.snapshot())) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "condition not met; snapshot errors: " + store.snapshot().errors());
      }
      Thread.sleep(20);
    }
  }

  @Test
  void followsFilesAddedChangedAndDeleted() throws Exception {
    Files.writeString(dir.resolve("a.yaml"), namespace("shop"));
    Files.createDirectories(dir.resolve("sub"));
    Files.writeString(dir.resolve("sub/b.yml"), namespace("bookinfo"));
    Files.writeString(dir.resolve("notes.txt"), "not a manifest");
    ConfigStore store = new ConfigStore();
    try (DirectorySource source = new DirectorySource(dir, store)) {
      source.start();
      assertThat(store.snapshot().list(Kind.NAMESPACE))
          .extracting(c -> c.name())
          .containsExactly("bookinfo", "shop");
      assertThat(source.fileCount()).isEqualTo(2);

      Files.writeString(dir.resolve("a.yaml"), namespace("shop") + "---\n" + namespace("extra"));
      await(store, s -> s.get(Kind.NAMESPACE, "", "extra").isPresent());

      Files.delete(dir.resolve("sub/b.yml"));
      await(store, s -> s.get(Kind.NAMESPACE, "", "bookinfo").isEmpty());

      Files.createDirectories(dir.resolve("new/deeper"));
      Files.writeString(dir.resolve("new/deeper/c.yaml"), namespace("late"));
      await(store, s -> s.get(Kind.NAMESPACE, "", "late").isPresent());

      Files.writeString(dir.resolve("bad.yaml"), "kind: [");
      await(store, s -> !s.errors().isEmpty());
      assertThat(store.snapshot().errors().get(0).origin()).endsWith("bad.yaml:1");
      assertThat(store.snapshot().list(Kind.NAMESPACE)).hasSize(3);
    }
  }

  @Test
  void withoutAStabilityRuleAFileMovedInIsAppliedOnceAndABrokenOneIsStillHeld() throws Exception {
    Path file = dir.resolve("mesh.yaml");
    Files.writeString(file, namespaces(0, 3));
    ConfigStore store = new ConfigStore();
    try (DirectorySource source = DirectorySource.of(dir, store, Duration.ZERO)) {
      source.start();
      List<Integer> counts = namespaceCounts(store);
      Path tmp = dir.resolve(".mesh.yaml.tmp");
      Files.writeString(tmp, namespaces(0, 5));
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      await(store, s -> s.list(Kind.NAMESPACE).size() == 5);
      // Applied once, whole.
      assertThat(counts).containsExactly(5);

      // A syntax error that was not there is still held as a file being written is (moved in
      // whole too: written in place, the file is empty for a moment, and an empty file is valid).
      Files.writeString(tmp, namespaces(0, 5) + "kind: [");
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      Thread.sleep(1000);
      assertThat(store.snapshot().errors()).isEmpty();
      assertThat(store.snapshot().list(Kind.NAMESPACE)).hasSize(5);
    }
  }

  /** Listeners are told after the snapshot changes: waits until they have been. */
  private static void awaitTrue(java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 10 s");
      }
      Thread.sleep(20);
    }
  }

  private static String namespaces(int from, int to) {
    StringBuilder b = new StringBuilder();
    for (int i = from; i < to; i++) {
      b.append(namespace("ns-" + i)).append("---\n");
    }
    return b.toString();
  }

  /** Every namespace count the store has held, in order, from now on. */
  private static List<Integer> namespaceCounts(ConfigStore store) {
    List<Integer> counts = Collections.synchronizedList(new ArrayList<>());
    store.addListener(c -> counts.add(store.snapshot().list(Kind.NAMESPACE).size()));
    return counts;
  }

  @Test
  void aFileWrittenSlowlyIsAppliedOnlyOnceComplete() throws Exception {
    Path file = dir.resolve("mesh.yaml");
    Files.writeString(file, namespaces(0, 6));
    ConfigStore store = new ConfigStore();
    try (DirectorySource source = new DirectorySource(dir, store)) {
      source.start();
      List<Integer> counts = namespaceCounts(store);
      // Rewritten in pieces, 100 ms apart, as a slow writer or a copy over the network does.
      String content = namespaces(0, 7);
      Files.writeString(file, "");
      for (int at = 0; at < content.length(); at += 40) {
        Thread.sleep(100);
        Files.writeString(
            file,
            content.substring(at, Math.min(content.length(), at + 40)),
            StandardOpenOption.APPEND);
      }
      await(store, s -> s.list(Kind.NAMESPACE).size() == 7);
      awaitTrue(() -> counts.contains(7));
      assertThat(counts).as("namespace counts pushed while the file was written").containsOnly(7);
      assertThat(store.snapshot().errors()).isEmpty();
    }
  }

  @Test
  void aFileDeletedAndWrittenAgainIsNeverAppliedAsGone() throws Exception {
    Path file = dir.resolve("mesh.yaml");
    Files.writeString(file, namespaces(0, 3));
    ConfigStore store = new ConfigStore();
    try (DirectorySource source = new DirectorySource(dir, store)) {
      source.start();
      List<Integer> counts = namespaceCounts(store);
      Files.delete(file);
      Thread.sleep(150);
      Files.writeString(file, namespaces(0, 4));
      await(store, s -> s.list(Kind.NAMESPACE).size() == 4);
      awaitTrue(() -> counts.contains(4));
      assertThat(counts).containsOnly(4);
    }
  }

  @Test
  void aFileThatStaysDeletedIsRemovedOnceStable() throws Exception {
    Files.writeString(dir.resolve("a.yaml"), namespace("a"));
    Files.writeString(dir.resolve("b.yaml"), namespace("b"));
    ConfigStore store = new ConfigStore();
    try (DirectorySource source = new DirectorySource(dir, store)) {
      source.start();
      Files.delete(dir.resolve("b.yaml"));
      await(store, s -> s.get(Kind.NAMESPACE, "", "b").isEmpty());
      assertThat(store.snapshot().get(Kind.NAMESPACE, "", "a")).isPresent();
    }
  }

  @Test
  void aChangeThatBreaksTheSyntaxIsHeldThenReported() throws Exception {
    Path file = dir.resolve("mesh.yaml");
    Files.writeString(file, namespaces(0, 2));
    ConfigStore store = new ConfigStore();
    try (DirectorySource source = new DirectorySource(dir, store)) {
      source.start();
      List<Integer> counts = namespaceCounts(store);
      // What a file cut off mid-write looks like: the last document's syntax is broken.
      Files.writeString(file, namespaces(0, 2) + "apiVersion: v1\nkind: Namespace\nmetadata: {na");
      Thread.sleep(2_000);
      assertThat(counts).as("nothing applied while the file may still be being written").isEmpty();
      assertThat(store.snapshot().errors()).isEmpty();
      // Left broken: applied after the grace, the rest of the file served, the error reported.
      await(store, s -> !s.errors().isEmpty());
      assertThat(store.snapshot().errors().get(0).reason()).startsWith("YAML syntax error");
      assertThat(store.snapshot().list(Kind.NAMESPACE)).hasSize(2);
    }
  }

  @Test
  void startsWithABadFileAndServesTheRest() throws Exception {
    Files.writeString(dir.resolve("bad.yaml"), "kind: [\n");
    Files.writeString(dir.resolve("good.yaml"), namespace("shop"));
    ConfigStore store = new ConfigStore();
    try (DirectorySource source = new DirectorySource(dir, store)) {
      source.start();
      assertThat(store.snapshot().get(Kind.NAMESPACE, "", "shop")).isPresent();
      assertThat(store.snapshot().errors())
          .singleElement()
          .satisfies(e -> assertThat(e.origin()).contains("bad.yaml"));
    }
  }

  @Test
  void aFileSlowToParseIsRefusedAndTheRestGoesOn() throws Exception {
    Files.writeString(dir.resolve("big.yaml"), namespace("big"));
    Files.writeString(dir.resolve("small.yaml"), namespace("shop"));
    ConfigStore store = new ConfigStore();
    // The disk, except that parsing big.yaml takes a minute, as a pathological file can.
    DirectorySource.FileAccess slow =
        new DirectorySource.FileAccess() {
          @Override
          public List<ParseResult> parse(ManifestParser parser, Path file, FileContent content) {
            if (file.getFileName().toString().equals("big.yaml")) {
              try {
                Thread.sleep(60_000);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
            return DirectorySource.FileAccess.super.parse(parser, file, content);
          }
        };
    try (DirectorySource source =
        new DirectorySource(
            dir,
            store,
            Duration.ofMillis(50),
            Duration.ofMillis(300),
            Duration.ofSeconds(2),
            slow)) {
      source.start();
      assertThat(store.snapshot().get(Kind.NAMESPACE, "", "shop")).isPresent();
      assertThat(store.snapshot().get(Kind.NAMESPACE, "", "big")).isEmpty();
      assertThat(store.snapshot().errors())
          .singleElement()
          .satisfies(e -> assertThat(e.reason()).contains("took longer than 2000 ms to parse"));
      Files.writeString(dir.resolve("later.yaml"), namespace("later"));
      await(store, s -> s.get(Kind.NAMESPACE, "", "later").isPresent());
    }
  }

  /** The disk, except that the paths in {@code denied} cannot be read, as without permission. */
  private static DirectorySource.FileAccess denying(Set<Path> denied) {
    return new DirectorySource.FileAccess() {
      @Override
      public List<Path> list(Path root, BiConsumer<Path, IOException> unreadable)
          throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path p : DirectorySource.FileAccess.super.list(root, unreadable)) {
          Optional<Path> dirDenied =
              denied.stream().filter(d -> Files.isDirectory(d) && p.startsWith(d)).findFirst();
          if (dirDenied.isPresent()) {
            unreadable.accept(
                dirDenied.get(), new AccessDeniedException(dirDenied.get().toString()));
          } else {
            out.add(p);
          }
        }
        return out;
      }

      @Override
      public Optional<FileContent> content(Path file) throws IOException {
        if (denied.contains(file)) {
          throw new AccessDeniedException(file.toString());
        }
        return DirectorySource.FileAccess.super.content(file);
      }
    };
  }

  @Test
  void unreadableFilesAndDirectoriesAreSkippedKeepingWhatTheyHeld() throws Exception {
    Files.writeString(dir.resolve("a.yaml"), namespace("a"));
    Files.createDirectories(dir.resolve("locked"));
    Files.writeString(dir.resolve("locked/b.yaml"), namespace("b"));
    Set<Path> denied = ConcurrentHashMap.newKeySet();
    ConfigStore store = new ConfigStore();
    try (DirectorySource source =
        new DirectorySource(
            dir,
            store,
            Duration.ofMillis(50),
            Duration.ofMillis(300),
            Duration.ofSeconds(10),
            denying(denied))) {
      source.start();
      assertThat(store.snapshot().list(Kind.NAMESPACE)).hasSize(2);
      denied.add(dir.resolve("a.yaml"));
      denied.add(dir.resolve("locked"));
      // Changes elsewhere keep being applied; what the unreadable paths held stays served.
      Files.writeString(dir.resolve("c.yaml"), namespace("c"));
      await(store, s -> s.get(Kind.NAMESPACE, "", "c").isPresent());
      Files.writeString(dir.resolve("c.yaml"), namespace("c2"));
      await(store, s -> s.get(Kind.NAMESPACE, "", "c2").isPresent());
      assertThat(store.snapshot().get(Kind.NAMESPACE, "", "a")).isPresent();
      assertThat(store.snapshot().get(Kind.NAMESPACE, "", "b")).isPresent();
      // Readable again: its changes are applied.
      denied.clear();
      Files.writeString(dir.resolve("a.yaml"), namespace("a2"));
      await(store, s -> s.get(Kind.NAMESPACE, "", "a2").isPresent());
    }
  }

  @Test
  void aNewUnreadableFileIsReportedByName() throws Exception {
    Set<Path> denied = ConcurrentHashMap.newKeySet();
    denied.add(dir.resolve("secret.yaml"));
    Files.writeString(dir.resolve("secret.yaml"), namespace("hidden"));
    Files.writeString(dir.resolve("open.yaml"), namespace("open"));
    ConfigStore store = new ConfigStore();
    try (DirectorySource source =
        new DirectorySource(
            dir,
            store,
            Duration.ofMillis(50),
            Duration.ofMillis(300),
            Duration.ofSeconds(10),
            denying(denied))) {
      source.start();
      assertThat(store.snapshot().get(Kind.NAMESPACE, "", "open")).isPresent();
      assertThat(store.snapshot().errors())
          .singleElement()
          .satisfies(
              e -> {
                assertThat(e.origin()).contains("secret.yaml");
                assertThat(e.reason()).contains("cannot be read");
              });
    }
  }
}
