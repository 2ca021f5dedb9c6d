package dev.mizzen.tenancy.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mizzen.testing.kube.MockApiServer;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MemberControllerTest {
  private MockApiServer api;
  private final List<MemberController> controllers = new ArrayList<>();

  @BeforeEach
  void cluster() {
    api = new MockApiServer();
    for (String ns : List.of("istio-system", "a1", "a2")) {
      api.create("apiVersion: v1\nkind: Namespace\nmetadata: {name: " + ns + "}\n");
    }
    api.create(
        """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata:
          name: mizzen-reader
          namespace: istio-system
          labels: {maistra.io/owner: istio-system}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: mizzen-reader-istio-system}
        subjects: [{kind: ServiceAccount, name: mizzen, namespace: istio-system}]
        """);
    api.create(
        """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: not-copied, namespace: istio-system}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
        subjects: [{kind: User, name: someone}]
        """);
  }

  @AfterEach
  void stop() {
    controllers.forEach(MemberController::close);
    api.close();
  }

  private MemberController controller(String identity) {
    MemberController c =
        new MemberController(
            api.client(), MemberController.Settings.defaults("istio-system", "default", identity));
    controllers.add(c);
    c.start();
    return c;
  }

  private void roll(String... members) {
    GenericKubernetesResource existing = roll();
    if (existing == null) {
      api.create(
          "apiVersion: maistra.io/v1\nkind: ServiceMeshMemberRoll\nmetadata: {name: default, namespace: istio-system}\nspec: {members: "
              + List.of(members)
              + "}\n");
    } else {
      existing.setAdditionalProperty("spec", Map.of("members", List.of(members)));
      api.client()
          .genericKubernetesResources(MemberController.ROLLS)
          .inNamespace("istio-system")
          .resource(existing)
          .update();
    }
  }

  private GenericKubernetesResource roll() {
    return api.client()
        .genericKubernetesResources(MemberController.ROLLS)
        .inNamespace("istio-system")
        .withName("default")
        .get();
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> status() {
    GenericKubernetesResource r = roll();
    Object status = r == null ? null : r.get("status");
    return status == null ? Map.of() : (Map<String, Object>) status;
  }

  private Map<String, String> labels(String namespace) {
    Namespace ns = api.client().namespaces().withName(namespace).get();
    return ns == null
        ? Map.of()
        : Objects.requireNonNullElse(ns.getMetadata().getLabels(), Map.of());
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(50);
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void configuresListedNamespacesAndReportsTheRestAsMaistraDoes() throws Exception {
    roll("a1", "a2", "later");
    controller("replica-1");
    await(
        "a1 and a2 are configured",
        () -> List.of("a1", "a2").equals(status().get("configuredMembers")));

    assertThat(status())
        .containsEntry("pendingMembers", List.of("later"))
        .containsEntry("members", List.of("a1", "a2", "later"))
        .containsEntry("annotations", Map.of("configuredMemberCount", "2/3"));
    Map<String, Object> ready = ((List<Map<String, Object>>) status().get("conditions")).get(0);
    assertThat(ready)
        .containsEntry("type", "Ready")
        .containsEntry("status", "False")
        .containsEntry("reason", "ErrNamespaceMissing")
        .containsEntry("message", "A namespace listed in .spec.members does not exist");
    assertThat((List<Map<String, Object>>) status().get("memberStatuses"))
        .extracting(
            m -> m.get("namespace"),
            m -> ((List<Map<String, Object>>) m.get("conditions")).get(0).get("status"))
        .containsExactly(
            Tuple.tuple("a1", "True"), Tuple.tuple("a2", "True"), Tuple.tuple("later", "False"));

    assertThat(labels("a1")).containsEntry("maistra.io/member-of", "istio-system");
    RoleBinding copy =
        api.client().rbac().roleBindings().inNamespace("a1").withName("mizzen-reader").get();
    assertThat(copy.getMetadata().getLabels())
        .containsEntry("maistra.io/member-of", "istio-system")
        .containsEntry("maistra.io/owner", "istio-system")
        .containsEntry("maistra-version", "2.6.0");
    assertThat(copy.getRoleRef().getName()).isEqualTo("mizzen-reader-istio-system");
    assertThat(copy.getSubjects())
        .singleElement()
        .satisfies(s -> assertThat(s.getName()).isEqualTo("mizzen"));
    assertThat(api.client().rbac().roleBindings().inNamespace("a1").withName("not-copied").get())
        .isNull();

    NetworkPolicy mesh =
        api.client()
            .network()
            .v1()
            .networkPolicies()
            .inNamespace("a1")
            .withName("istio-mesh-default")
            .get();
    assertThat(mesh.getMetadata().getLabels()).containsEntry("maistra-version", "2.6.0");
    assertThat(
            mesh.getSpec()
                .getIngress()
                .get(0)
                .getFrom()
                .get(0)
                .getNamespaceSelector()
                .getMatchLabels())
        .isEqualTo(Map.of("maistra.io/member-of", "istio-system"));
    NetworkPolicy route =
        api.client()
            .network()
            .v1()
            .networkPolicies()
            .inNamespace("a1")
            .withName("istio-expose-route-default")
            .get();
    assertThat(route.getSpec().getPodSelector().getMatchLabels())
        .isEqualTo(Map.of("maistra.io/expose-route", "true"));
    assertThat(
            route
                .getSpec()
                .getIngress()
                .get(0)
                .getFrom()
                .get(0)
                .getNamespaceSelector()
                .getMatchLabels())
        .isEqualTo(Map.of("network.openshift.io/policy-group", "ingress"));

    // A namespace created after it was listed joins when it appears.
    api.create("apiVersion: v1\nkind: Namespace\nmetadata: {name: later}\n");
    await(
        "later is configured",
        () -> List.of("a1", "a2", "later").equals(status().get("configuredMembers")));
    Map<String, Object> readyNow = ((List<Map<String, Object>>) status().get("conditions")).get(0);
    assertThat(readyNow)
        .containsEntry("status", "True")
        .containsEntry("reason", "Configured")
        .containsEntry("message", "All namespaces have been configured successfully");
    assertThat(status()).containsEntry("annotations", Map.of("configuredMemberCount", "3/3"));
  }

  private void caSecret(String name, String key, String pem) {
    String encoded = Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.UTF_8));
    api.client()
        .secrets()
        .inNamespace("istio-system")
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("istio-system")
                .endMetadata()
                .withData(Map.of(key, encoded))
                .build())
        .createOr(NonDeletingOperation::update);
  }

  private String rootIn(String namespace) {
    ConfigMap cm =
        api.client().configMaps().inNamespace(namespace).withName("istio-ca-root-cert").get();
    return cm == null ? null : cm.getData().get("root-cert.pem");
  }

  private static String pem(String body) {
    return "-----BEGIN CERTIFICATE-----\n" + body + "\n-----END CERTIFICATE-----\n";
  }

  @Test
  void publishesTheRootCertificateToMembersOnlyAndKeepsItInStep() throws Exception {
    api.create("apiVersion: v1\nkind: Namespace\nmetadata: {name: outsider}\n");
    api.create(
        """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: istio-ca-root-cert, namespace: a2}
        data: {root-cert.pem: "another CA's root"}
        """);
    caSecret("istio-ca-secret", "ca-cert.pem", pem("self-signed"));
    roll("a1", "a2");
    controller("replica-1");
    await("a1 holds the self-signed root", () -> pem("self-signed").equals(rootIn("a1")));
    assertThat(
            api.client()
                .configMaps()
                .inNamespace("a1")
                .withName("istio-ca-root-cert")
                .get()
                .getMetadata()
                .getLabels())
        .containsEntry("maistra.io/member-of", "istio-system");
    // A ConfigMap the control plane did not write is left as it is.
    assertThat(rootIn("a2")).isEqualTo("another CA's root");

    // A plugged-in CA wins over the self-signed one, and the members follow.
    caSecret("cacerts", "root-cert.pem", pem("plugged-in"));
    await("a1 holds the plugged-in root", () -> pem("plugged-in").equals(rootIn("a1")));

    roll("a2");
    await("a1 no longer holds a root", () -> rootIn("a1") == null);
    assertThat(rootIn("a2")).isEqualTo("another CA's root");
    assertThat(rootIn("outsider")).isNull();
    assertThat(rootIn("istio-system")).isNull();
  }

  @Test
  void removesWhatItWroteWhenANamespaceLeaves() throws Exception {
    roll("a1", "a2");
    controller("replica-1");
    await("a2 is configured", () -> List.of("a1", "a2").equals(status().get("configuredMembers")));
    roll("a1");
    await(
        "a2 is no longer configured",
        () -> List.of("a1").equals(status().get("configuredMembers")));
    await("a2's label is removed", () -> !labels("a2").containsKey("maistra.io/member-of"));
    assertThat(api.client().rbac().roleBindings().inNamespace("a2").list().getItems()).isEmpty();
    assertThat(api.client().network().v1().networkPolicies().inNamespace("a2").list().getItems())
        .isEmpty();
    assertThat(labels("a1")).containsEntry("maistra.io/member-of", "istio-system");
    assertThat(api.client().network().v1().networkPolicies().inNamespace("a1").list().getItems())
        .hasSize(2);
  }

  @Test
  @SuppressWarnings("unchecked")
  void leavesANamespaceOfAnotherMeshAlone() throws Exception {
    api.create(
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: shared, labels: {maistra.io/member-of: mesh-b}}\n");
    roll("a1", "shared");
    controller("replica-1");
    await("a1 is configured", () -> List.of("a1").equals(status().get("configuredMembers")));
    assertThat(status()).containsEntry("pendingMembers", List.of("shared"));
    Map<String, Object> ready = ((List<Map<String, Object>>) status().get("conditions")).get(0);
    String message =
        "Cannot reconcile namespace shared in mesh istio-system/default, as it is already a member of mesh-b";
    assertThat(ready).containsEntry("reason", "ReconcileError").containsEntry("message", message);
    assertThat(labels("shared")).containsEntry("maistra.io/member-of", "mesh-b");
    assertThat(
            api.client().network().v1().networkPolicies().inNamespace("shared").list().getItems())
        .isEmpty();
  }

  @Test
  @SuppressWarnings("unchecked")
  void aServiceMeshMemberJoinsItsNamespaceCreatingTheRollIfNeeded() throws Exception {
    api.create(
        """
        apiVersion: maistra.io/v1
        kind: ServiceMeshMember
        metadata: {name: default, namespace: a2}
        spec:
          controlPlaneRef: {name: basic, namespace: istio-system}
        """);
    controller("replica-1");
    await("a2 is configured", () -> List.of("a2").equals(status().get("configuredMembers")));
    assertThat(roll().getMetadata().getAnnotations())
        .containsEntry("maistra.io/created-by", "servicemeshmember-controller");
    assertThat(roll().getMetadata().getLabels()).containsEntry("maistra-version", "2.6.0");
    await(
        "the member reports Ready",
        () -> {
          GenericKubernetesResource m =
              api.client()
                  .genericKubernetesResources(MemberController.MEMBERS)
                  .inNamespace("a2")
                  .withName("default")
                  .get();
          Object conditions = m.get("status", "conditions");
          return conditions instanceof List<?> l
              && l.stream()
                  .anyMatch(
                      c ->
                          c instanceof Map<?, ?> mc
                              && "Ready".equals(mc.get("type"))
                              && "True".equals(mc.get("status")));
        });
  }

  @Test
  void onlyTheReplicaHoldingTheLeaseWrites() throws Exception {
    roll("a1");
    MemberController first = controller("replica-1");
    MemberController second = controller("replica-2");
    await("one replica leads", () -> first.isLeader() || second.isLeader());
    await("a1 is configured", () -> List.of("a1").equals(status().get("configuredMembers")));
    assertThat(first.isLeader() && second.isLeader()).isFalse();
    assertThat(
            api.client()
                .leases()
                .inNamespace("istio-system")
                .withName("mizzen-member-controller")
                .get()
                .getSpec()
                .getHolderIdentity())
        .isEqualTo(first.isLeader() ? "replica-1" : "replica-2");

    // The holder goes away: the other replica takes the Lease and goes on writing.
    MemberController leader = first.isLeader() ? first : second;
    MemberController other = leader == first ? second : first;
    leader.close();
    await("the other replica leads", other::isLeader);
    roll("a1", "a2");
    await(
        "the new leader configures a2",
        () -> List.of("a1", "a2").equals(status().get("configuredMembers")));
  }

  /** Records what the controller tells it; refuses to let a namespace go while {@code holding}. */
  private static final class RecordingTask implements LeaderTask {
    final List<String> calls = new CopyOnWriteArrayList<>();
    volatile boolean holding;
    volatile Supplier<Map<String, String>> labelsOfA2 = Map::of;
    volatile Map<String, String> a2WhenLeft;

    @Override
    public void startLeading() {
      calls.add("start");
    }

    @Override
    public boolean members(SortedSet<String> configured) {
      calls.add("members " + configured);
      if (!configured.contains("a2") && calls.contains("members [a1, a2]") && a2WhenLeft == null) {
        if (holding) {
          return false;
        }
        a2WhenLeft = labelsOfA2.get();
      }
      return true;
    }

    @Override
    public void stopLeading() {
      calls.add("stop");
    }
  }

  @Test
  void aLeaderTaskFinishesWithALeavingNamespaceBeforeItIsUnconfigured() throws Exception {
    roll("a1", "a2");
    RecordingTask task = new RecordingTask();
    task.labelsOfA2 = () -> labels("a2");
    task.holding = true;
    MemberController c =
        new MemberController(
            api.client(),
            MemberController.Settings.defaults("istio-system", "default", "replica-1"));
    controllers.add(c);
    c.add(task);
    c.start();
    await("the task hears of a1 and a2", () -> task.calls.contains("members [a1, a2]"));
    assertThat(task.calls.get(0)).isEqualTo("start");

    roll("a1");
    await("the task hears a2 left", () -> task.calls.contains("members [a1]"));
    Thread.sleep(2500);
    assertThat(labels("a2"))
        .as("kept while the task holds it")
        .containsEntry("maistra.io/member-of", "istio-system");

    task.holding = false;
    await("a2 is unconfigured", () -> !labels("a2").containsKey("maistra.io/member-of"));
    assertThat(task.a2WhenLeft)
        .as("a2 was still configured when the task let it go")
        .containsEntry("maistra.io/member-of", "istio-system");

    c.close();
    assertThat(task.calls.get(task.calls.size() - 1)).isEqualTo("stop");
  }
}
