package dev.mizzen.ingest.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mizzen.ingest.model.Kind;
import dev.mizzen.ingest.model.ObjectRef;
import dev.mizzen.ingest.parse.ManifestParser;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigStoreTest {
  private final ManifestParser parser = new ManifestParser();
  private final ConfigStore store = new ConfigStore();
  private final List<ConfigChange> changes = new ArrayList<>();

  ConfigStoreTest() {
    store.addListener(changes::add);
  }

  private void put(String key, String yaml) {
    store.replace(key, parser.parse(key, yaml));
  }

  private static String namespace(String name, String label) {
    return "apiVersion: v1\nkind: Namespace\nmetadata: {name: "
        + name
        + ", labels: {team: "
        + label
        + "}}\n";
  }

  @Test
  void reportsOnlyWhatChanged() {
    put("a.yaml", namespace("shop", "x") + "---\n" + namespace("bookinfo", "y"));
    assertThat(changes).hasSize(1);
    assertThat(changes.get(0).objects()).hasSize(2);

    // The same content again, moved within the file: nothing to report.
    put("a.yaml", namespace("bookinfo", "y") + "---\n" + namespace("shop", "x"));
    assertThat(changes).hasSize(1);

    put("a.yaml", namespace("bookinfo", "y") + "---\n" + namespace("shop", "z"));
    assertThat(changes).hasSize(2);
    assertThat(changes.get(1).objects()).containsExactly(new ObjectRef(Kind.NAMESPACE, "", "shop"));

    store.remove("a.yaml");
    assertThat(changes.get(2).objects()).hasSize(2);
    assertThat(store.snapshot().list(Kind.NAMESPACE)).isEmpty();
  }

  @Test
  void firstKeyWinsADuplicateAndTheOtherIsRefused() {
    put("b.yaml", namespace("shop", "second"));
    put("a.yaml", namespace("shop", "first"));
    ConfigSnapshot s = store.snapshot();
    assertThat(s.get(Kind.NAMESPACE, "", "shop").orElseThrow().meta().labels())
        .containsEntry("team", "first");
    assertThat(s.errors()).hasSize(1);
    assertThat(s.errors().get(0).message())
        .isEqualTo(
            "b.yaml:1: Namespace shop: metadata.name: duplicate: the same object is already defined at a.yaml:1");
  }

  @Test
  void restrictsToNamespaces() {
    put(
        "svc.yaml",
        """
        apiVersion: v1
        kind: Service
        metadata: {name: a, namespace: shop}
        spec: {ports: [{port: 80}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: b, namespace: other}
        spec: {ports: [{port: 80}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {namespace: other}
        spec: {ports: [{port: 80}]}
        """);
    ConfigSnapshot s = store.snapshot();
    assertThat(s.list(Kind.SERVICE)).hasSize(2);
    assertThat(s.errors()).hasSize(1);
    ConfigSnapshot shop = s.restrictTo("shop"::equals);
    assertThat(shop.list(Kind.SERVICE)).extracting(c -> c.name()).containsExactly("a");
    assertThat(shop.errors()).isEmpty();
    assertThat(s.list(Kind.SERVICE, "other")).extracting(c -> c.name()).containsExactly("b");
  }
}
