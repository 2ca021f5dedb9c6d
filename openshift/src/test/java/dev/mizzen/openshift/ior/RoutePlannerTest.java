package dev.mizzen.openshift.ior;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.openshift.api.model.Route;
import io.fabric8.openshift.api.model.RouteBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The planner and the diff alone, on pods and Services held in memory. */
class RoutePlannerTest {
  private final Map<String, List<Pod>> pods = new HashMap<>();
  private final Map<String, List<Service>> services = new HashMap<>();
  private final Set<String> unread = new HashSet<>();
  private final RoutePlanner planner = new RoutePlanner("istio-system", "2.6.0");
  private final SortedSet<String> members =
      new TreeSet<>(List.of("a1", "a2", "istio-system", "z9"));

  private final RoutePlanner.Workloads workloads =
      new RoutePlanner.Workloads() {
        @Override
        public boolean known(String namespace) {
          return !unread.contains(namespace);
        }

        @Override
        public List<Pod> pods(String namespace) {
          return pods.getOrDefault(namespace, List.of());
        }

        @Override
        public List<Service> services(String namespace) {
          return services.getOrDefault(namespace, List.of());
        }
      };

  private void gatewayPods(String namespace, String service, String... ports) {
    pods.computeIfAbsent(namespace, n -> new ArrayList<>())
        .add(
            new PodBuilder()
                .withNewMetadata()
                .withName(service + "-1")
                .withNamespace(namespace)
                .addToLabels("istio", "ingressgateway")
                .endMetadata()
                .build());
    ServiceBuilder b =
        new ServiceBuilder()
            .withNewMetadata()
            .withName(service)
            .withNamespace(namespace)
            .endMetadata()
            .withNewSpec()
            .addToSelector("istio", "ingressgateway")
            .endSpec();
    for (String port : ports) {
      b.editSpec().addNewPort().withName(port).withPort(80).endPort().endSpec();
    }
    services.computeIfAbsent(namespace, n -> new ArrayList<>()).add(b.build());
  }

  private static Gateway gateway(String namespace, List<String> hosts, boolean tls) {
    return new Gateway(
        namespace,
        "gw",
        "uid",
        "7",
        Map.of(),
        Map.of(),
        Map.of("istio", "ingressgateway"),
        List.of(new Gateway.Server(hosts, tls, false)));
  }

  @Test
  void theGatewaysOwnNamespaceComesFirstThenTheControlPlanesThenTheOthers() {
    gatewayPods("z9", "late", "http2");
    gatewayPods("istio-system", "istio-ingressgateway", "http2");
    assertThat(
            planner
                .plan(gateway("a1", List.of("foo.example.com"), false), members, workloads)
                .routes())
        .singleElement()
        .satisfies(
            r ->
                assertThat(r.getMetadata().getNamespace() + "/" + r.getSpec().getTo().getName())
                    .isEqualTo("istio-system/istio-ingressgateway"));
    gatewayPods("a1", "own", "http2");
    assertThat(
            planner
                .plan(gateway("a1", List.of("foo.example.com"), false), members, workloads)
                .routes()
                .get(0)
                .getMetadata()
                .getNamespace())
        .isEqualTo("a1");
    assertThat(
            planner
                .plan(gateway("a2", List.of("foo.example.com"), false), members, workloads)
                .routes()
                .get(0)
                .getMetadata()
                .getNamespace())
        .isEqualTo("istio-system");
  }

  @Test
  void anUnreadNamespaceBeforeTheServiceHoldsTheGateway() {
    gatewayPods("istio-system", "istio-ingressgateway", "http2");
    unread.add("a1");
    Plan held = planner.plan(gateway("a1", List.of("foo.example.com"), false), members, workloads);
    assertThat(held.disposition()).isEqualTo(Plan.Disposition.HELD);
    assertThat(held.notes()).containsExactly("namespace a1 has not been read yet");
    unread.clear();
    unread.add("z9");
    assertThat(
            planner
                .plan(gateway("a1", List.of("foo.example.com"), false), members, workloads)
                .disposition())
        .as("found before the unread namespace")
        .isEqualTo(Plan.Disposition.MIRRORED);
  }

  @Test
  void aServiceWithoutTheTargetPortIsWarnedAbout() {
    gatewayPods("istio-system", "istio-ingressgateway", "http2");
    Plan plan = planner.plan(gateway("a1", List.of("foo.example.com"), true), members, workloads);
    assertThat(plan.notes())
        .containsExactly(
            "Service istio-system/istio-ingressgateway has no port named \"https\", which Route a1-gw-45a335de targets");
    assertThat(plan.warns()).isTrue();
  }

  private static Route route(String name, String gatewayNamespace, String gatewayName) {
    return new RouteBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("istio-system")
        .addToLabels(RoutePlanner.GENERATED_BY, "ior")
        .addToLabels(RoutePlanner.GATEWAY_NAMESPACE, gatewayNamespace)
        .addToLabels(RoutePlanner.GATEWAY_NAME, gatewayName)
        .endMetadata()
        .withNewSpec()
        .endSpec()
        .build();
  }

  @Test
  void theDiffKeepsWhatIsHeldOrUnreadAndDeletesTheRest() {
    List<Plan> plans =
        List.of(
            Plan.held("a1", "held", "cannot be read"), Plan.leftAlone("a1", "optout", "annotated"));
    List<Route> actual =
        List.of(
            route("r1", "a1", "held"),
            route("r2", "a1", "optout"),
            route("r3", "a1", "gone"),
            route("r4", "a2", "unknown-yet"));
    RouteDiff diff = RouteDiff.of(plans, actual, Set.of("a2"));
    assertThat(diff.delete())
        .extracting(r -> r.getMetadata().getName())
        .containsExactly("r2", "r3");
    assertThat(diff.create()).isEmpty();
    assertThat(diff.update()).isEmpty();
  }

  @Test
  void aRouteIsCurrentDespiteWhatOpenShiftAddsAndStaleWhenAGatewayAnnotationWent() {
    gatewayPods("istio-system", "istio-ingressgateway", "http2");
    Gateway annotated =
        new Gateway(
            "a1",
            "gw",
            "uid",
            "7",
            Map.of(),
            Map.of("team", "shop"),
            Map.of("istio", "ingressgateway"),
            List.of(new Gateway.Server(List.of("*"), false, false)));
    Route desired = planner.plan(annotated, members, workloads).routes().get(0);
    Route served =
        new RouteBuilder(desired)
            .editMetadata()
            .addToAnnotations("openshift.io/host.generated", "true")
            .addToLabels(RoutePlanner.GATEWAY_RESOURCE_VERSION, "8")
            .endMetadata()
            .editSpec()
            .withHost("a1-gw-684888c0-istio-system.apps.example.com")
            .endSpec()
            .build();
    assertThat(RouteDiff.current(served, desired)).isTrue();
    Gateway without =
        new Gateway(
            "a1",
            "gw",
            "uid",
            "9",
            Map.of(),
            Map.of(),
            Map.of("istio", "ingressgateway"),
            annotated.servers());
    Route now = planner.plan(without, members, workloads).routes().get(0);
    assertThat(RouteDiff.current(served, now)).isFalse();
    RouteDiff diff =
        RouteDiff.of(List.of(planner.plan(without, members, workloads)), List.of(served), Set.of());
    Route rewritten = diff.update().get(0);
    assertThat(rewritten.getSpec().getHost())
        .as("OpenShift's host is kept")
        .isEqualTo("a1-gw-684888c0-istio-system.apps.example.com");
    assertThat(rewritten.getMetadata().getAnnotations())
        .doesNotContainKey("team")
        .containsEntry("openshift.io/host.generated", "true");
    assertThat(rewritten.getMetadata().getLabels())
        .containsEntry(RoutePlanner.GATEWAY_RESOURCE_VERSION, "9");
  }
}
