package dev.mizzen.pilot.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mizzen.ingest.kube.WatchScope;
import dev.mizzen.testing.kube.MockApiServer;
import dev.mizzen.testing.mesh.MeshYaml;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The status of analysed objects in a cluster (fabric8's mock API server): written once, in Istio's
 * shape, not written again while the analysis stays the same, cleared when the problem goes away,
 * never outside the members, and only while leading.
 */
class AnalysisStatusTest {
  private static final ResourceDefinitionContext VIRTUAL_SERVICES =
      new ResourceDefinitionContext.Builder()
          .withGroup("networking.istio.io")
          .withVersion("v1")
          .withKind("VirtualService")
          .withPlural("virtualservices")
          .withNamespaced(true)
          .build();
  private static final String STATUS_PATH =
      "/apis/networking.istio.io/v1/namespaces/shop/virtualservices/web/status";

  private MockApiServer api;
  private KubernetesClient client;
  private ControlPlane cp;
  private AnalysisStatus status;

  @BeforeEach
  void start() throws Exception {
    api = new MockApiServer();
    client = api.newClient();
    for (String ns : List.of("istio-system", "shop", "other")) {
      api.create(MeshYaml.namespace(ns));
    }
    api.create(MeshYaml.memberRoll("istio-system", List.of("shop")));
    api.configure("istio-system", "default", List.of("shop"));
    api.create(
        """
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: shop}
        spec: {clusterIP: 10.96.0.10, ports: [{name: http, port: 8080}]}
        """);
    api.create(route("shop", "web", "gone"));
    api.create(route("other", "web", "gone"));
    cp =
        ControlPlane.start(
            ControlPlane.Options.forTest(null, "istio-system"),
            new ControlPlane.Kube(
                api.newClient("serving"), WatchScope.NAMESPACES, Duration.ofSeconds(20)),
            null);
    status = new AnalysisStatus(api.newClient("status"), "istio-system", Clock.systemUTC());
    status.follow(cp.kubeSource()::servedVersion, cp.pipeline().status());
    cp.pipeline().afterPush(status::analysed);
  }

  @AfterEach
  void stop() {
    status.close();
    cp.close();
    api.close();
  }

  private static String route(String namespace, String name, String host) {
    return """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: %s, namespace: %s}
        spec:
          hosts: [web]
          http: [{route: [{destination: {host: %s}}]}]
        """
        .formatted(name, namespace, host);
  }

  private GenericKubernetesResource web(String namespace) {
    return client
        .genericKubernetesResources(VIRTUAL_SERVICES)
        .inNamespace(namespace)
        .withName("web")
        .get();
  }

  private long writes() {
    return api.requestsFrom("status").stream()
        .filter(r -> r.startsWith("PUT " + STATUS_PATH))
        .count();
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> statusOf(String namespace) {
    Object s = web(namespace).get("status");
    return s instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
  }

  /** Lets pushes and writes settle: no push for a while, and the writer's thread done. */
  private void settle() throws InterruptedException {
    long pushes;
    do {
      pushes = cp.pipeline().status().push().number();
      Thread.sleep(800);
    } while (cp.pipeline().status().push().number() != pushes);
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(50);
    }
  }

  @Test
  void writtenOnceInIstiosShapeKeptWhileUnchangedClearedWhenFixedNeverOutsideMembers()
      throws Exception {
    settle();
    assertThat(statusOf("shop")).as("nothing is written before leading").isNull();
    status.startLeading();
    await("status of shop/web", () -> statusOf("shop") != null);
    Map<String, Object> written = statusOf("shop");
    assertThat(written.get("validationMessages"))
        .isEqualTo(
            List.of(
                Map.of(
                    "type",
                    Map.of("name", "ReferencedResourceNotFound", "code", "IST0101"),
                    "level",
                    "ERROR",
                    "documentationUrl",
                    "https://istio.io/latest/docs/reference/config/analysis/ist0101/")));
    List<?> conditions = (List<?>) written.get("conditions");
    assertThat(conditions).hasSize(1);
    Map<?, ?> reconciled = (Map<?, ?>) conditions.get(0);
    assertThat(reconciled.get("type")).isEqualTo("Reconciled");
    assertThat(reconciled.get("status")).isEqualTo("True");
    assertThat(reconciled.get("reason")).isEqualTo("Served");
    assertThat(reconciled.get("message")).isEqualTo("Served by control plane istio-system");
    assertThat(reconciled.get("lastTransitionTime")).isNotNull();
    assertThat(written.get("observedGeneration")).isEqualTo("1");

    // The write comes back as an update, and more pushes follow: nothing is written again.
    api.create(
        """
        apiVersion: v1
        kind: Service
        metadata: {name: other, namespace: shop}
        spec: {clusterIP: 10.96.0.11, ports: [{name: http, port: 8080}]}
        """);
    settle();
    assertThat(writes()).isEqualTo(1);

    // Fixed: the messages go, the condition stays (with its transition time).
    GenericKubernetesResource vs = web("shop");
    vs.setAdditionalProperty(
        "spec",
        Map.of(
            "hosts",
            List.of("web"),
            "http",
            List.of(Map.of("route", List.of(Map.of("destination", Map.of("host", "web")))))));
    client.genericKubernetesResources(VIRTUAL_SERVICES).inNamespace("shop").resource(vs).update();
    await("messages cleared", () -> !statusOf("shop").containsKey("validationMessages"));
    Map<?, ?> after = (Map<?, ?>) ((List<?>) statusOf("shop").get("conditions")).get(0);
    assertThat(after.get("status")).isEqualTo("True");
    assertThat(after.get("lastTransitionTime")).isEqualTo(reconciled.get("lastTransitionTime"));
    assertThat(statusOf("shop").get("observedGeneration")).isEqualTo("2");
    settle();
    assertThat(writes()).isEqualTo(2);

    // Never outside the members: not written, not even read.
    assertThat(statusOf("other")).isNull();
    assertThat(api.requestsFrom("status")).noneMatch(r -> r.contains("/namespaces/other/"));
  }

  @Test
  void aRefusedObjectIsNotReconciledAndSaysWhy() throws Exception {
    api.create(
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: broken, namespace: shop}
        spec:
          hosts: [web]
          http: [{route: [{destination: {host: web}}], timeout: soon}]
        """);
    await(
        "broken is refused",
        () -> cp.pipeline().status().refused().stream().anyMatch(e -> e.name().equals("broken")));
    status.startLeading();
    await(
        "status of shop/broken",
        () ->
            client
                    .genericKubernetesResources(VIRTUAL_SERVICES)
                    .inNamespace("shop")
                    .withName("broken")
                    .get()
                    .get("status")
                != null);
    Map<?, ?> s =
        (Map<?, ?>)
            client
                .genericKubernetesResources(VIRTUAL_SERVICES)
                .inNamespace("shop")
                .withName("broken")
                .get()
                .get("status");
    Map<?, ?> reconciled = (Map<?, ?>) ((List<?>) s.get("conditions")).get(0);
    assertThat(reconciled.get("status")).isEqualTo("False");
    assertThat(reconciled.get("reason")).isEqualTo("Refused");
    assertThat((String) reconciled.get("message"))
        .startsWith("Refused by control plane istio-system: spec.http[0].timeout: ");
    assertThat(s.get("validationMessages").toString()).contains("IST0106");
    assertThat(s.containsKey("observedGeneration")).isFalse();
  }

  @Test
  void stopsWritingWhenItStopsLeading() throws Exception {
    status.startLeading();
    await("status of shop/web", () -> statusOf("shop") != null);
    status.stopLeading();
    settle();
    long before = api.requestsFrom("status").size();
    GenericKubernetesResource vs = web("shop");
    vs.setAdditionalProperty(
        "spec",
        Map.of(
            "hosts",
            List.of("web"),
            "http",
            List.of(Map.of("route", List.of(Map.of("destination", Map.of("host", "web")))))));
    client.genericKubernetesResources(VIRTUAL_SERVICES).inNamespace("shop").resource(vs).update();
    settle();
    assertThat(api.requestsFrom("status")).hasSize((int) before);
    assertThat(statusOf("shop")).containsKey("validationMessages");
  }
}
