package dev.mizzen.ingest.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.Kind;
import dev.mizzen.ingest.model.MemberRollSpec;
import dev.mizzen.ingest.store.ConfigStore;
import dev.mizzen.testing.kube.MockApiServer;
import java.time.Duration;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class KubeSourceTest {
  private MockApiServer api;
  private ConfigStore store;
  private KubeSource source;

  @BeforeEach
  void cluster() {
    api = new MockApiServer();
    store = new ConfigStore();
    api.create(
        """
        apiVersion: maistra.io/v1
        kind: ServiceMeshMemberRoll
        metadata: {name: default, namespace: istio-system}
        spec: {members: [a1, a2]}
        """);
    api.configure("istio-system", "default", List.of("a1"));
    for (String ns : List.of("istio-system", "a1", "a2", "b1")) {
      api.create(service(ns, "echo"));
    }
  }

  @AfterEach
  void stop() {
    if (source != null) {
      source.close();
    }
    api.close();
  }

  private static String service(String namespace, String name) {
    return """
        apiVersion: v1
        kind: Service
        metadata: {name: %s, namespace: %s}
        spec:
          ports: [{name: grpc, port: 7070}]
        """
        .formatted(name, namespace);
  }

  private void start(WatchScope scope) throws Exception {
    source =
        new KubeSource(
            api.newClient(),
            store,
            "istio-system",
            "default",
            scope,
            Duration.ofSeconds(10),
            KubeSourceTest::configured);
    source.start(Duration.ofSeconds(20));
  }

  /**
   * The roll's configured members. The real rule (tenancy's resolver, which config-ingest cannot
   * depend on) also refuses malformed names; tests/ checks both sources against it.
   */
  private static SortedSet<String> configured(MemberRollSpec roll) {
    return roll == null ? new TreeSet<>() : new TreeSet<>(roll.configuredMembers());
  }

  private List<String> services() {
    return store.snapshot().list(Kind.SERVICE).stream()
        .map(c -> c.namespace() + "/" + c.name())
        .toList();
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(20);
    }
  }

  @Test
  void readsTheConfiguredMembersAndTheControlPlaneNamespaceOnly() throws Exception {
    start(WatchScope.NAMESPACES);
    assertThat(source.members()).containsExactly("a1", "istio-system");
    assertThat(services()).containsExactly("a1/echo", "istio-system/echo");
    Config<MemberRollSpec> roll =
        store
            .snapshot()
            .get(Kind.SERVICE_MESH_MEMBER_ROLL, "istio-system", "default")
            .orElseThrow();
    assertThat(roll.spec().configuredMembers()).containsExactly("a1");
    assertThat(roll.origin()).isEqualTo("kubernetes");
  }

  @Test
  void neverListsOrWatchesANamespacedKindAcrossAllNamespaces() throws Exception {
    start(WatchScope.NAMESPACES);
    api.configure("istio-system", "default", List.of("a1", "a2"));
    await("a2 is read", () -> services().contains("a2/echo"));
    List<String> reads = api.requests.stream().filter(r -> r.startsWith("GET ")).toList();
    assertThat(reads).isNotEmpty();
    for (Kind<?> kind : Kind.all()) {
      if (!kind.namespaced()) {
        continue;
      }
      String prefix = kind.group().isEmpty() ? "/api/v1/" : "/apis/" + kind.group() + "/";
      assertThat(reads)
          .as("requests for %s", kind)
          .noneMatch(
              r ->
                  r.contains(prefix)
                      && r.contains("/" + kind.plural())
                      && !r.contains("/namespaces/"));
    }
    assertThat(reads).anyMatch(r -> r.startsWith("GET /api/v1/namespaces/a2/services"));
    assertThat(reads).noneMatch(r -> r.contains("/namespaces/b1/"));
  }

  @Test
  void followsMembersAddedAndRemovedAtRunTime() throws Exception {
    start(WatchScope.NAMESPACES);
    int informersWithOne = source.informerCount();
    api.configure("istio-system", "default", List.of("a1", "a2"));
    // A namespace's informers start (and may deliver) before their set is counted.
    await(
        "a2 is read and its informers counted",
        () -> services().contains("a2/echo") && source.informerCount() > informersWithOne);
    api.create(service("a2", "late"));
    await("a2/late arrives", () -> services().contains("a2/late"));

    api.configure("istio-system", "default", List.of("a2"));
    await("a1 is withdrawn", () -> !services().contains("a1/echo"));
    assertThat(services()).containsExactly("a2/echo", "a2/late", "istio-system/echo");
    assertThat(source.members()).containsExactly("a2", "istio-system");
    assertThat(source.informerCount()).isEqualTo(informersWithOne);
  }

  @Test
  void countsInformerEventsOfMemberObjectsOnly() throws Exception {
    List<String> events = new CopyOnWriteArrayList<>();
    source =
        new KubeSource(
            api.newClient(),
            store,
            "istio-system",
            "default",
            WatchScope.CLUSTER,
            Duration.ofSeconds(10),
            KubeSourceTest::configured);
    source.countEvents((kind, event) -> events.add(kind + " " + event));
    source.start(Duration.ofSeconds(20));
    int before = events.size();
    // One informer delivers both, in order: once a1/late is in, b1/late has been seen.
    api.create(service("b1", "late"));
    api.create(service("a1", "late"));
    await("a1/late arrives", () -> services().contains("a1/late"));
    assertThat(events.subList(before, events.size())).containsExactly("Service add");
  }

  @Test
  void refusesABadObjectWithItsFieldAndKeepsTheRest() throws Exception {
    api.create(
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: broken, namespace: a1}
        spec:
          hosts: [echo]
          http:
          - match: [{uri: {regex: "(?<name>x"}}]
            route: [{destination: {host: echo}}]
        """);
    start(WatchScope.NAMESPACES);
    assertThat(services()).contains("a1/echo");
    assertThat(store.snapshot().errors())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.origin()).isEqualTo("kubernetes");
              assertThat(e.object()).isEqualTo("VirtualService a1/broken");
              assertThat(e.field()).isEqualTo("spec.http[0].match[0].uri.regex");
            });
  }

  /**
   * Objects that arrive by watch are read as sent: through fabric8's typed Istio model an unknown
   * action would vanish and the policy would allow what it was written to deny.
   */
  @Test
  void readsWatchedObjectsAsSentNotAsATypedModelWouldKeepThem() throws Exception {
    start(WatchScope.NAMESPACES);
    api.create(
        """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: typo, namespace: a1}
        spec:
          action: DENYT
          rules: [{to: [{operation: {paths: [/admin]}}]}]
        """);
    api.create(
        """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: numeric, namespace: a1}
        spec:
          host: echo
          trafficPolicy: {loadBalancer: {simple: 5}}
        """);
    await(
        "both are judged",
        () ->
            store.snapshot().errors().stream().anyMatch(e -> e.name().equals("numeric"))
                && store.snapshot().get(Kind.AUTHORIZATION_POLICY, "a1", "typo").isPresent());
    assertThat(
            store
                .snapshot()
                .get(Kind.AUTHORIZATION_POLICY, "a1", "typo")
                .orElseThrow()
                .failedClosed())
        .as("served fail closed, not as an ALLOW policy")
        .isNotNull()
        .satisfies(e -> assertThat(e.field()).isEqualTo("spec.action"));
    assertThat(store.snapshot().errors())
        .filteredOn(e -> e.name().equals("numeric"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.object()).isEqualTo("DestinationRule a1/numeric");
              assertThat(e.field()).isEqualTo("spec.trafficPolicy.loadBalancer.simple");
            });
  }

  @Test
  void refusesAClientThatWouldReadObjectsThroughTypedModels() {
    // The test's own client reads through fabric8's models.
    assertThatThrownBy(
            () ->
                new KubeSource(
                    api.client(),
                    store,
                    "istio-system",
                    "default",
                    WatchScope.NAMESPACES,
                    Duration.ofSeconds(10),
                    KubeSourceTest::configured))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("KubeSource.serialization()");
  }

  @Test
  void clusterScopeWatchesEachKindOnceAndAdmitsOnlyMembers() throws Exception {
    start(WatchScope.CLUSTER);
    assertThat(services()).containsExactly("a1/echo", "istio-system/echo");
    int informers = source.informerCount();
    api.configure("istio-system", "default", List.of("a1", "a2"));
    await("a2 is read", () -> services().contains("a2/echo"));
    assertThat(source.informerCount()).isEqualTo(informers);
    assertThat(services()).doesNotContain("b1/echo");
    assertThat(api.requests).anyMatch(r -> r.startsWith("GET /api/v1/services"));

    api.configure("istio-system", "default", List.of());
    await("a1 and a2 are withdrawn", () -> services().equals(List.of("istio-system/echo")));
  }

  @Test
  void withoutARollServesTheControlPlaneNamespaceAndFollowsOneCreatedLater() throws Exception {
    api.client()
        .genericKubernetesResources(MockApiServer.ROLLS)
        .inNamespace("istio-system")
        .withName("default")
        .delete();
    await(
        "the roll is gone",
        () ->
            api.client()
                .genericKubernetesResources(MockApiServer.ROLLS)
                .inNamespace("istio-system")
                .list()
                .getItems()
                .isEmpty());
    start(WatchScope.NAMESPACES);
    assertThat(services()).containsExactly("istio-system/echo");
    api.create(
        """
        apiVersion: maistra.io/v1
        kind: ServiceMeshMemberRoll
        metadata: {name: default, namespace: istio-system}
        spec: {members: [b1]}
        """);
    api.configure("istio-system", "default", List.of("b1"));
    await("b1 is read", () -> services().contains("b1/echo"));
  }
}
