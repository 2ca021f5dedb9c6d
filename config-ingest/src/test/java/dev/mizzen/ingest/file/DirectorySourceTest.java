package dev.mizzen.ingest.file;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mizzen.ingest.model.Kind;
import dev.mizzen.ingest.store.ConfigSnapshot;
import dev.mizzen.ingest.store.ConfigStore;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
