package dev.mizzen.pilot.ior;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.mizzen.tenancy.controller.MemberController;
import dev.mizzen.testing.kube.MockApiServer;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.openshift.api.model.Route;
import io.fabric8.openshift.api.model.RouteBuilder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * IOR against fabric8's mock API server in CRUD mode, run as in production: beside a member
 * controller, under its Lease, learning the members from it. The ingress gateway's pods and
 * Service live in the control plane's namespace, as Maistra installs them.
 */
class IorControllerTest {
  static final ResourceDefinitionContext GATEWAYS =
      new ResourceDefinitionContext.Builder()
          .withGroup("networking.istio.io")
          .withVersion("v1")
          .withKind("Gateway")
          .withPlural("gateways")
          .withNamespaced(true)
          .build();

  private MockApiServer api;
  private final List<AutoCloseable> running = new ArrayList<>();
  private ListAppender<ILoggingEvent> logs;

  private void cluster(MockApiServer server, String... members) {
    api = server;
    for (String ns : List.of("istio-system", "a1", "a2")) {
      api.create("apiVersion: v1\nkind: Namespace\nmetadata: {name: " + ns + "}\n");
    }
    api.create(
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: istio-ingressgateway-1, namespace: istio-system, labels: {istio: ingressgateway, app: istio-ingressgateway}}
        spec: {containers: [{name: istio-proxy, image: proxyv2}]}
        """);
    api.create(
        """
        apiVersion: v1
        kind: Service
        metadata: {name: istio-ingressgateway, namespace: istio-system}
        spec:
          selector: {istio: ingressgateway}
          ports: [{name: http2, port: 80}, {name: https, port: 443}]
        """);
    api.create(
        "apiVersion: maistra.io/v1\nkind: ServiceMeshMemberRoll\nmetadata: {name: default, namespace: istio-system}\nspec: {members: "
            + List.of(members) + "}\n");
  }

  private IorController start() {
    MemberController.Settings settings = MemberController.Settings.defaults("istio-system", "default", "replica-1");
    MemberController members = new MemberController(api.newClient("member-controller"), settings);
    IorController ior = new IorController(api.newClient("ior"), settings);
    members.add(ior);
    running.add(ior);
    running.add(members);
    members.start();
    return ior;
  }

  /** Closes the member controller, then IOR. */
  private void stopAll() throws Exception {
    for (int i = running.size() - 1; i >= 0; i--) {
      running.get(i).close();
    }
    running.clear();
  }

  @AfterEach
  void stop() throws Exception {
    stopAll();
    if (logs != null) {
      ((Logger) LoggerFactory.getLogger(IorController.class)).detachAppender(logs);
    }
    api.close();
  }

  private void gateway(String namespace, String name, String rest) {
    api.create(gatewayYaml(namespace, name, rest));
  }

  /** A Gateway; {@code rest} may go on with metadata (indented) before its spec. */
  private static String gatewayYaml(String namespace, String name, String rest) {
    return "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata:\n  name: " + name + "\n  namespace: " + namespace + "\n" + rest;
  }

  private void replaceGateway(String namespace, String name, String yaml) {
    KubernetesClient c = api.client();
    GenericKubernetesResource current = c.genericKubernetesResources(GATEWAYS).inNamespace(namespace).withName(name).get();
    GenericKubernetesResource next =
        c.getKubernetesSerialization()
            .unmarshal(gatewayYaml(namespace, name, yaml), GenericKubernetesResource.class);
    next.getMetadata().setResourceVersion(current.getMetadata().getResourceVersion());
    c.genericKubernetesResources(GATEWAYS).inNamespace(namespace).resource(next).update();
  }

  private List<Route> routes(String namespace) {
    return api.client().resources(Route.class).inNamespace(namespace).list().getItems().stream()
        .sorted(Comparator.comparing(r -> r.getMetadata().getName()))
        .toList();
  }

  private Route route(String namespace, String name) {
    return api.client().resources(Route.class).inNamespace(namespace).withName(name).get();
  }

  private List<String> routeNames(String namespace) {
    return routes(namespace).stream().map(r -> r.getMetadata().getName()).toList();
  }

  private List<Event> events(String namespace, String gateway) {
    return api.client().v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(e -> gateway.equals(e.getInvolvedObject().getName()))
        .toList();
  }

  private Event lastEvent(String namespace, String gateway) {
    List<Event> all = events(namespace, gateway);
    return all.isEmpty() ? null : all.get(all.size() - 1);
  }

  /** Whether a request names a resource outside any namespace; discovery does not. */
  static boolean clusterWide(String request) {
    String path = request.substring(request.indexOf(' ') + 1).replaceFirst("\\?.*", "");
    String[] s = path.replaceFirst("^/", "").split("/");
    int at = s[0].equals("api") ? 2 : 3;
    if (s.length <= at) {
      return false;
    }
    return !s[at].equals("namespaces") || s.length < at + 3;
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

  @Test
  void mirrorsEveryHostFormAsARouteInTheNamespaceOfTheGatewaysService() throws Exception {
    cluster(MockApiServer.openShift(), "a1", "a2");
    gateway(
        "a1",
        "gw",
        """
          labels: {app: shop}
          annotations: {team: shop, kubectl.kubernetes.io/last-applied-configuration: "{}"}
        spec:
          selector: {istio: ingressgateway}
          servers:
          - port: {number: 80, name: http, protocol: HTTP}
            hosts: [foo.example.com, "*", "*.example.com", a2/bar.example.com]
        """);
    start();
    await("four Routes", () -> routes("istio-system").size() == 4);

    assertThat(routeNames("istio-system")).containsExactly("a1-gw-45a335de", "a1-gw-47287a8f", "a1-gw-684888c0", "a1-gw-f2428e60");
    Route foo = route("istio-system", "a1-gw-45a335de");
    assertThat(foo.getSpec().getHost()).isEqualTo("foo.example.com");
    assertThat(foo.getSpec().getWildcardPolicy()).isEqualTo("None");
    assertThat(foo.getSpec().getTo().getKind()).isEqualTo("Service");
    assertThat(foo.getSpec().getTo().getName()).isEqualTo("istio-ingressgateway");
    assertThat(foo.getSpec().getPort().getTargetPort().getStrVal()).isEqualTo("http2");
    assertThat(foo.getSpec().getTls()).isNull();
    String version = api.client().genericKubernetesResources(GATEWAYS).inNamespace("a1").withName("gw").get().getMetadata().getResourceVersion();
    assertThat(foo.getMetadata().getLabels())
        .isEqualTo(
            Map.of(
                "maistra.io/generated-by", "ior",
                "maistra.io/gateway-namespace", "a1",
                "maistra.io/gateway-name", "gw",
                "maistra.io/gateway-resourceVersion", version,
                "maistra-version", "2.6.0"));
    assertThat(foo.getMetadata().getAnnotations()).isEqualTo(Map.of("maistra.io/original-host", "foo.example.com", "team", "shop"));

    Route any = route("istio-system", "a1-gw-684888c0");
    assertThat(any.getSpec().getHost()).isNull();
    assertThat(any.getMetadata().getAnnotations()).containsEntry("maistra.io/original-host", "*");
    Route wildcard = route("istio-system", "a1-gw-47287a8f");
    assertThat(wildcard.getSpec().getHost()).isEqualTo("wildcard.example.com");
    assertThat(wildcard.getSpec().getWildcardPolicy()).isEqualTo("Subdomain");
    Route bar = route("istio-system", "a1-gw-f2428e60");
    assertThat(bar.getSpec().getHost()).isEqualTo("bar.example.com");
    assertThat(bar.getMetadata().getAnnotations()).containsEntry("maistra.io/original-host", "a2/bar.example.com");

    await("an event on the Gateway", () -> lastEvent("a1", "gw") != null);
    Event e = lastEvent("a1", "gw");
    assertThat(e.getType()).isEqualTo("Warning");
    assertThat(e.getReason()).isEqualTo("RoutesMirroredWithWarnings");
    assertThat(e.getInvolvedObject().getKind()).isEqualTo("Gateway");
    assertThat(e.getInvolvedObject().getApiVersion()).isEqualTo("networking.istio.io/v1");
    assertThat(e.getMessage())
        .isEqualTo(
            "Routes istio-system/a1-gw-45a335de for \"foo.example.com\", istio-system/a1-gw-684888c0 for \"*\","
                + " istio-system/a1-gw-47287a8f for \"*.example.com\", istio-system/a1-gw-f2428e60 for \"a2/bar.example.com\";"
                + " host \"*\": a Route cannot match every host, so Route a1-gw-684888c0 has none and OpenShift gives it its"
                + " default host name");
    assertThat(api.requestsFrom("ior")).as("IOR never reads or writes across namespaces").noneMatch(IorControllerTest::clusterWide);
  }

  @Test
  void tlsServersGetPassthroughRoutesRedirectingPlainHttpWhenAsked() throws Exception {
    cluster(MockApiServer.openShift(), "a1");
    gateway(
        "a1",
        "tls",
        """
        spec:
          selector: {istio: ingressgateway}
          servers:
          - port: {number: 443, name: https, protocol: HTTPS}
            hosts: [secure.example.com]
            tls: {mode: SIMPLE, credentialName: secure-cert}
          - port: {number: 443, name: https-redirect, protocol: HTTPS}
            hosts: [redirect.example.com]
            tls: {mode: PASSTHROUGH, httpsRedirect: true}
        """);
    start();
    await("two Routes", () -> routes("istio-system").size() == 2);
    Route secure = routes("istio-system").stream().filter(r -> "secure.example.com".equals(r.getSpec().getHost())).findFirst().orElseThrow();
    assertThat(secure.getSpec().getTls().getTermination()).isEqualTo("passthrough");
    assertThat(secure.getSpec().getTls().getInsecureEdgeTerminationPolicy()).isNull();
    assertThat(secure.getSpec().getPort().getTargetPort().getStrVal()).isEqualTo("https");
    Route redirect = routes("istio-system").stream().filter(r -> "redirect.example.com".equals(r.getSpec().getHost())).findFirst().orElseThrow();
    assertThat(redirect.getSpec().getTls().getTermination()).isEqualTo("passthrough");
    assertThat(redirect.getSpec().getTls().getInsecureEdgeTerminationPolicy()).isEqualTo("Redirect");
    assertThat(redirect.getSpec().getPort().getTargetPort().getStrVal()).isEqualTo("https");
    await("an event", () -> lastEvent("a1", "tls") != null);
    assertThat(lastEvent("a1", "tls").getType()).isEqualTo("Normal");
    assertThat(lastEvent("a1", "tls").getReason()).isEqualTo("RoutesMirrored");
  }
}
