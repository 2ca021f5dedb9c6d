package dev.mizzen.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mizzen.ingest.file.DirectorySource;
import dev.mizzen.ingest.kube.KubeSource;
import dev.mizzen.ingest.kube.WatchScope;
import dev.mizzen.ingest.store.ConfigStore;
import dev.mizzen.tenancy.MemberRollResolver;
import dev.mizzen.tenancy.controller.MemberController;
import dev.mizzen.testing.kube.MockApiServer;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The member rule has one owner: for the same roll and namespaces, the directory source (which
 * resolves the roll's spec itself) and the cluster source (which follows the status the member
 * controller writes) serve exactly the same namespaces.
 */
class MembershipRuleTest {
  private static final String NAMESPACES =
      """
      apiVersion: v1
      kind: Namespace
      metadata: {name: istio-system}
      ---
      apiVersion: v1
      kind: Namespace
      metadata: {name: a1}
      ---
      apiVersion: v1
      kind: Namespace
      metadata: {name: a2, labels: {maistra.io/member-of: other-mesh}}
      ---
      apiVersion: v1
      kind: Namespace
      metadata: {name: a4}
      """;

  /**
   * Listed: members, one claimed by another mesh, a missing one, the control plane. (A roll that
   * lists a malformed name is refused whole by ingest, whichever the source.)
   */
  private static final List<String> LISTED = List.of("a1", "a2", "a3", "istio-system", "a4");

  @TempDir Path dir;

  @Test
  void theDirectorySourceAndTheClusterSourceAdmitTheSameNamespaces() throws Exception {
    SortedSet<String> fromDirectory = fromDirectory();
    SortedSet<String> fromCluster = fromCluster();
    assertThat(fromDirectory).containsExactly("a1", "a4", "istio-system");
    assertThat(fromCluster).isEqualTo(fromDirectory);
  }

  private SortedSet<String> fromDirectory() throws Exception {
    Files.writeString(
        dir.resolve("mesh.yaml"),
        NAMESPACES
            + "---\napiVersion: maistra.io/v1\nkind: ServiceMeshMemberRoll\nmetadata: {name: default, namespace: istio-system}\n"
            + "spec: {members: "
            + LISTED.stream().map(m -> "\"" + m + "\"").toList()
            + "}\n");
    ConfigStore store = new ConfigStore();
    try (DirectorySource source = new DirectorySource(dir, store)) {
      source.start();
      return new MemberRollResolver("istio-system", "default")
          .resolve(store.snapshot())
          .namespaces();
    }
  }

  private SortedSet<String> fromCluster() throws Exception {
    try (MockApiServer api = new MockApiServer()) {
      for (String doc : NAMESPACES.split("---\n")) {
        api.create(doc);
      }
      api.create(
          "apiVersion: maistra.io/v1\nkind: ServiceMeshMemberRoll\nmetadata: {name: default, namespace: istio-system}\nspec: {members: "
              + LISTED.stream().map(m -> "\"" + m + "\"").toList()
              + "}\n");
      try (MemberController controller =
          new MemberController(
              api.newClient("controller"),
              MemberController.Settings.defaults("istio-system", "default", "replica-1"))) {
        controller.start();
        awaitStatus(api);
        MemberRollResolver resolver = MemberRollResolver.fromStatus("istio-system", "default");
        try (KubeSource source =
            new KubeSource(
                api.newClient("serving"),
                new ConfigStore(),
                "istio-system",
                "default",
                WatchScope.NAMESPACES,
                Duration.ofSeconds(10),
                resolver::watched)) {
          source.start(Duration.ofSeconds(20));
          return source.members();
        }
      }
    }
  }

  private static void awaitStatus(MockApiServer api) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      GenericKubernetesResource roll =
          api.client()
              .genericKubernetesResources(MockApiServer.ROLLS)
              .inNamespace("istio-system")
              .withName("default")
              .get();
      Object status = roll.getAdditionalProperties().get("status");
      if (status instanceof Map<?, ?> s
          && s.get("configuredMembers") instanceof List<?> configured
          && !configured.isEmpty()) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the member controller wrote no configured members within 20 s");
  }
}
