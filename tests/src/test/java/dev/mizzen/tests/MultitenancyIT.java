package dev.mizzen.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mizzen.ingest.kube.WatchScope;
import dev.mizzen.ingest.model.Kind;
import dev.mizzen.pilot.app.ControlPlane;
import dev.mizzen.tenancy.controller.MemberController;
import dev.mizzen.testing.kube.MockApiServer;
import dev.mizzen.testing.mesh.MeshYaml;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two control planes in one cluster, as Maistra runs them: {@code istio-system} with members a1 and
 * a2, {@code mesh-b} with member b1, and a namespace {@code both} listed by the two rolls. Each has
 * its member controller and serves its own proxies, with fabric8's mock API server as the cluster
 * and grpc-java's xDS client as the proxies.
 */
class MultitenancyIT {
  private MockApiServer api;
  private final Map<String, Backend> backends = new LinkedHashMap<>();
  private final List<AutoCloseable> running = new ArrayList<>();
  private ControlPlane meshA;
  private ControlPlane meshB;

  @BeforeEach
  void cluster() throws Exception {
    api = new MockApiServer();
    for (String ns : List.of("istio-system", "mesh-b", "a1", "a2", "b1", "both")) {
      api.create("apiVersion: v1\nkind: Namespace\nmetadata: {name: " + ns + "}\n");
    }
    for (String ns : List.of("a1", "a2", "b1", "both")) {
      Backend b = new Backend(ns);
      backends.put(ns, b);
      echo(api::create, ns, "echo", b.port());
    }
    api.create(roll("istio-system", "a1", "a2", "both"));
    MemberController a =
        start(
            new MemberController(
                api.newClient(),
                MemberController.Settings.defaults("istio-system", "default", "a")));
    await(
        "istio-system configures a1, a2 and both",
        () -> configured("istio-system").equals(List.of("a1", "a2", "both")));
    api.create(roll("mesh-b", "b1", "both"));
    start(
        new MemberController(
            api.newClient(), MemberController.Settings.defaults("mesh-b", "default", "b")));
    await("mesh-b configures b1", () -> configured("mesh-b").equals(List.of("b1")));
    meshA = controlPlane("istio-system");
    meshB = controlPlane("mesh-b");
    assertThat(a.isLeader()).isTrue();
  }

  private <T extends AutoCloseable> T start(T c) {
    running.add(c);
    if (c instanceof MemberController m) {
      m.start();
    }
    return c;
  }

  private ControlPlane controlPlane(String namespace) throws Exception {
    return controlPlane(namespace, WatchScope.NAMESPACES);
  }

  private ControlPlane controlPlane(String namespace, WatchScope scope) throws Exception {
    return start(
        ControlPlane.start(
            ControlPlane.Options.forTest(null, namespace),
            new ControlPlane.Kube(api.newClient(), scope, Duration.ofSeconds(20)),
            null));
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = running.size() - 1; i >= 0; i--) {
      running.get(i).close();
    }
    for (Backend b : backends.values()) {
      b.close();
    }
    api.close();
  }

  static void echo(Consumer<String> create, String namespace, String name, int port) {
    create.accept(
        """
        apiVersion: v1
        kind: Service
        metadata: {name: %s, namespace: %s}
        spec:
          clusterIP: 10.96.0.10
          ports: [{name: grpc, port: 7070}]
        """
            .formatted(name, namespace));
    create.accept(
        """
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: %s-1
          namespace: %s
          labels: {kubernetes.io/service-name: %s}
        addressType: IPv4
        endpoints: [{addresses: [127.0.0.1], conditions: {ready: true}}]
        ports: [{name: grpc, port: %d, protocol: TCP}]
        """
            .formatted(name, namespace, name, port));
  }

  private static String roll(String namespace, String... members) {
    return MeshYaml.memberRoll(namespace, List.of(members));
  }

  private GenericKubernetesResource rollOf(String namespace) {
    return api.client()
        .genericKubernetesResources(MockApiServer.ROLLS)
        .inNamespace(namespace)
        .withName("default")
        .get();
  }

  private List<?> configured(String namespace) {
    Object v = rollOf(namespace).get("status", "configuredMembers");
    return v instanceof List<?> l ? l : List.of();
  }

  private void setMembers(String namespace, String... members) {
    api.setMembers(namespace, "default", List.of(members));
  }

  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(50);
    }
  }

  private ManagedChannel grpcClient(ControlPlane cp, String namespace, String target) {
    ManagedChannel ch =
        XdsClients.channel(
            target,
            XdsClients.bootstrap(cp.xdsPort(), "client-1", namespace, Map.of("app", "client")));
    running.add(() -> ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    return ch;
  }

  private static String call(ManagedChannel ch) {
    return SimpleServiceGrpc.newBlockingStub(ch)
        .withDeadlineAfter(20, TimeUnit.SECONDS)
        .withWaitForReady()
        .unaryRpc(SimpleRequest.getDefaultInstance())
        .getResponseMessage();
  }

  private CdsWatcher sidecar(ControlPlane cp, String pod, String namespace) {
    CdsWatcher w =
        new CdsWatcher(
            NettyChannelBuilder.forAddress("127.0.0.1", cp.xdsPort()).usePlaintext().build(),
            pod,
            namespace);
    running.add(w);
    return w;
  }

  private static String cluster(String namespace) {
    return "outbound|7070||echo." + namespace + ".svc.cluster.local";
  }

  private String configz(ControlPlane cp) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + cp.debugPort() + "/debug/configz"))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private static String inNamespace(String namespace) {
    return "\"namespace\" : \"" + namespace + "\"";
  }

  @Test
  void eachControlPlaneServesItsOwnMembersOnly() throws Exception {
    assertThat(call(grpcClient(meshA, "a1", "echo.a1:7070"))).isEqualTo("a1");
    assertThat(call(grpcClient(meshA, "a1", "echo.a2:7070"))).isEqualTo("a2");
    assertThat(call(grpcClient(meshB, "b1", "echo.b1:7070"))).isEqualTo("b1");
    ManagedChannel across = grpcClient(meshA, "a1", "echo.b1:7070");
    assertThatThrownBy(
            () ->
                SimpleServiceGrpc.newBlockingStub(across)
                    .withDeadlineAfter(5, TimeUnit.SECONDS)
                    .unaryRpc(SimpleRequest.getDefaultInstance()))
        .isInstanceOf(StatusRuntimeException.class);

    CdsWatcher a1 = sidecar(meshA, "app-1", "a1");
    await("a1's sidecar gets its clusters", () -> a1.clusters().contains(cluster("a1")));
    assertThat(a1.clusters())
        .contains(cluster("a2"), cluster("both"))
        .doesNotContain(cluster("b1"));
    CdsWatcher b1 = sidecar(meshB, "app-1", "b1");
    await("b1's sidecar gets its clusters", () -> b1.clusters().contains(cluster("b1")));
    assertThat(b1.clusters()).doesNotContain(cluster("a1"), cluster("a2"), cluster("both"));

    assertThat(configz(meshA)).contains(inNamespace("istio-system")).doesNotContain("\"b1\"");
    // mesh-b's own roll names "both"; nothing of that namespace is shown.
    assertThat(configz(meshB))
        .contains(inNamespace("mesh-b"))
        .doesNotContain("\"a1\"", "\"a2\"", inNamespace("both"));

    // The serving control planes never list or watch a namespaced kind across all namespaces.
    for (Kind<?> kind : Kind.all()) {
      if (kind.namespaced()) {
        String prefix =
            kind.group().isEmpty() ? "/api/v1/" + kind.plural() : "/apis/" + kind.group() + "/";
        assertThat(api.reads())
            .as("cluster-wide reads of %s", kind)
            .noneMatch(
                r ->
                    r.startsWith("GET " + prefix)
                        && r.contains("/" + kind.plural())
                        && !r.contains("/namespaces/"));
      }
    }
    assertThat(api.reads()).anyMatch(r -> r.startsWith("GET /api/v1/namespaces/b1/services"));
  }

  @Test
  void clusterWideWatchingServesTheSameAndKeepsOtherTenantsOut() throws Exception {
    ControlPlane wide = controlPlane("istio-system", WatchScope.CLUSTER);
    assertThat(wide.kubeSource().informerCount()).isLessThan(meshA.kubeSource().informerCount());
    CdsWatcher perNamespace = sidecar(meshA, "app-1", "a1");
    CdsWatcher clusterWide = sidecar(wide, "app-2", "a1");
    await(
        "both serve a1",
        () ->
            perNamespace.clusters().contains(cluster("a1"))
                && clusterWide.clusters().contains(cluster("a1")));
    assertThat(clusterWide.clusters())
        .isEqualTo(perNamespace.clusters())
        .doesNotContain(cluster("b1"));
    assertThat(configz(wide)).doesNotContain("\"b1\"");
    assertThat(sidecar(wide, "app-1", "b1").awaitClose().getCode())
        .isEqualTo(Status.Code.PERMISSION_DENIED);

    setMembers("istio-system", "a1", "both");
    await(
        "a2 is withdrawn cluster-wide too", () -> !clusterWide.clusters().contains(cluster("a2")));
  }

  @Test
  void aProxyOfAnotherMeshIsRefused() throws Exception {
    CdsWatcher stranger = sidecar(meshA, "app-1", "b1");
    Status status = stranger.awaitClose();
    assertThat(status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(status.getDescription())
        .isEqualTo(
            "namespace \"b1\" is not a member of the mesh of control plane \"istio-system\" (ServiceMeshMemberRoll istio-system/default)");
    assertThat(stranger.pushes).isEmpty();
  }

  @Test
  @SuppressWarnings("unchecked")
  void aNamespaceListedByBothRollsBelongsToTheFirstAndIsPendingInTheOther() throws Exception {
    GenericKubernetesResource b = rollOf("mesh-b");
    assertThat((List<String>) b.get("status", "pendingMembers")).containsExactly("both");
    Map<String, Object> ready = ((List<Map<String, Object>>) b.get("status", "conditions")).get(0);
    assertThat(ready)
        .containsEntry("type", "Ready")
        .containsEntry("status", "False")
        .containsEntry("reason", "ReconcileError")
        .containsEntry(
            "message",
            "Cannot reconcile namespace both in mesh mesh-b/default, as it is already a member of istio-system");
    assertThat((Map<String, Object>) b.get("status", "annotations"))
        .containsEntry("configuredMemberCount", "1/2");

    assertThat(call(grpcClient(meshA, "both", "echo.both:7070"))).isEqualTo("both");
    CdsWatcher refused = sidecar(meshB, "app-1", "both");
    assertThat(refused.awaitClose().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
  }

  @Test
  void membersAddedAndRemovedAtRunTime() throws Exception {
    CdsWatcher a1 = sidecar(meshA, "app-1", "a1");
    CdsWatcher a2 = sidecar(meshA, "app-2", "a2");
    await("a1 sees a2's service", () -> a1.clusters().contains(cluster("a2")));
    await("a2's sidecar is served", () -> a2.clusters().contains(cluster("a2")));

    setMembers("istio-system", "a1", "both");
    Status closed = a2.awaitClose();
    assertThat(closed.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(closed.getDescription())
        .isEqualTo(
            "namespace \"a2\" left the mesh of control plane \"istio-system\"; its config was withdrawn");
    await("a2's config is withdrawn from a1", () -> !a1.clusters().contains(cluster("a2")));
    assertThat(a1.clusters()).contains(cluster("a1"), cluster("both"));
    try (KubernetesClient c = api.newClient()) {
      await(
          "a2 loses its label",
          () ->
              c.namespaces().withName("a2").get().getMetadata().getLabels() == null
                  || !c.namespaces()
                      .withName("a2")
                      .get()
                      .getMetadata()
                      .getLabels()
                      .containsKey("maistra.io/member-of"));
      await(
          "a2 loses its NetworkPolicies",
          () -> c.network().v1().networkPolicies().inNamespace("a2").list().getItems().isEmpty());
    }
    CdsWatcher again = sidecar(meshA, "app-3", "a2");
    assertThat(again.awaitClose().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);

    setMembers("istio-system", "a1", "a2", "both");
    await("a2's config is back for a1", () -> a1.clusters().contains(cluster("a2")));
    assertThat(call(grpcClient(meshA, "a2", "echo.a2:7070"))).isEqualTo("a2");
    try (KubernetesClient c = api.newClient()) {
      assertThat(c.network().v1().networkPolicies().inNamespace("a2").list().getItems())
          .extracting(p -> p.getMetadata().getName())
          .containsExactlyInAnyOrder("istio-mesh-default", "istio-expose-route-default");
    }
  }

  /**
   * The API server away for 60 s, changed meanwhile (as another replica of it would be), then back:
   * every call made during the outage is served from what Mizzen holds, no push to the sidecar
   * lacks its config, and the change arrives once the API server is back.
   */
  @Test
  void anApiServerRestartLosesNoConfig() throws Exception {
    ManagedChannel client = grpcClient(meshA, "a1", "echo.a1:7070");
    assertThat(call(client)).isEqualTo("a1");
    CdsWatcher a1 = sidecar(meshA, "app-1", "a1");
    await(
        "a1's sidecar is served",
        () -> a1.clusters().containsAll(Set.of(cluster("a1"), cluster("a2"), cluster("both"))));

    Backend extra = new Backend("extra");
    running.add(extra::close);
    List<String> duringOutage = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.concurrent.atomic.AtomicBoolean away =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    Thread caller =
        new Thread(
            () -> {
              while (away.get()) {
                try {
                  duringOutage.add(call(client));
                  Thread.sleep(2_000);
                } catch (Exception e) {
                  duringOutage.add(e.toString());
                  return;
                }
              }
            });
    caller.start();
    try {
      api.restart(Duration.ofSeconds(60), c -> echo(c::create, "a1", "extra", extra.port()));
    } finally {
      away.set(false);
      caller.join();
    }
    // Served from memory while the API server was away, and still.
    assertThat(duringOutage).hasSizeGreaterThan(20).containsOnly("a1");
    assertThat(call(client)).isEqualTo("a1");

    await(
        "the change made during the outage arrives",
        () -> a1.clusters().contains("outbound|7070||extra.a1.svc.cluster.local"));
    assertThat(call(grpcClient(meshA, "a1", "extra.a1:7070"))).isEqualTo("extra");
    for (Set<String> push : a1.pushes) {
      assertThat(push)
          .as("every push to a1's sidecar")
          .contains(cluster("a1"), cluster("a2"), cluster("both"));
    }
  }
}
