package dev.mizzen.openshift.ior;

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
 * controller, under its Lease, learning the members from it. The ingress gateway's pods and Service
 * live in the control plane's namespace, as Maistra installs them.
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
            + List.of(members)
            + "}\n");
  }

  private IorController start() {
    MemberController.Settings settings =
        MemberController.Settings.defaults("istio-system", "default", "replica-1");
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
    return "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata:\n  name: "
        + name
        + "\n  namespace: "
        + namespace
        + "\n"
        + rest;
  }

  private void replaceGateway(String namespace, String name, String yaml) {
    KubernetesClient c = api.client();
    GenericKubernetesResource current =
        c.genericKubernetesResources(GATEWAYS).inNamespace(namespace).withName(name).get();
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

    assertThat(routeNames("istio-system"))
        .containsExactly("a1-gw-45a335de", "a1-gw-47287a8f", "a1-gw-684888c0", "a1-gw-f2428e60");
    Route foo = route("istio-system", "a1-gw-45a335de");
    assertThat(foo.getSpec().getHost()).isEqualTo("foo.example.com");
    assertThat(foo.getSpec().getWildcardPolicy()).isEqualTo("None");
    assertThat(foo.getSpec().getTo().getKind()).isEqualTo("Service");
    assertThat(foo.getSpec().getTo().getName()).isEqualTo("istio-ingressgateway");
    assertThat(foo.getSpec().getPort().getTargetPort().getStrVal()).isEqualTo("http2");
    assertThat(foo.getSpec().getTls()).isNull();
    String version =
        api.client()
            .genericKubernetesResources(GATEWAYS)
            .inNamespace("a1")
            .withName("gw")
            .get()
            .getMetadata()
            .getResourceVersion();
    assertThat(foo.getMetadata().getLabels())
        .isEqualTo(
            Map.of(
                "maistra.io/generated-by", "ior",
                "maistra.io/gateway-namespace", "a1",
                "maistra.io/gateway-name", "gw",
                "maistra.io/gateway-resourceVersion", version,
                "maistra-version", "2.6.0"));
    assertThat(foo.getMetadata().getAnnotations())
        .isEqualTo(Map.of("maistra.io/original-host", "foo.example.com", "team", "shop"));

    Route any = route("istio-system", "a1-gw-684888c0");
    assertThat(any.getSpec().getHost()).isNull();
    assertThat(any.getMetadata().getAnnotations()).containsEntry("maistra.io/original-host", "*");
    Route wildcard = route("istio-system", "a1-gw-47287a8f");
    assertThat(wildcard.getSpec().getHost()).isEqualTo("wildcard.example.com");
    assertThat(wildcard.getSpec().getWildcardPolicy()).isEqualTo("Subdomain");
    Route bar = route("istio-system", "a1-gw-f2428e60");
    assertThat(bar.getSpec().getHost()).isEqualTo("bar.example.com");
    assertThat(bar.getMetadata().getAnnotations())
        .containsEntry("maistra.io/original-host", "a2/bar.example.com");

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
    assertThat(api.requestsFrom("ior"))
        .as("IOR never reads or writes across namespaces")
        .noneMatch(IorControllerTest::clusterWide);
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
    Route secure =
        routes("istio-system").stream()
            .filter(r -> "secure.example.com".equals(r.getSpec().getHost()))
            .findFirst()
            .orElseThrow();
    assertThat(secure.getSpec().getTls().getTermination()).isEqualTo("passthrough");
    assertThat(secure.getSpec().getTls().getInsecureEdgeTerminationPolicy()).isNull();
    assertThat(secure.getSpec().getPort().getTargetPort().getStrVal()).isEqualTo("https");
    Route redirect =
        routes("istio-system").stream()
            .filter(r -> "redirect.example.com".equals(r.getSpec().getHost()))
            .findFirst()
            .orElseThrow();
    assertThat(redirect.getSpec().getTls().getTermination()).isEqualTo("passthrough");
    assertThat(redirect.getSpec().getTls().getInsecureEdgeTerminationPolicy())
        .isEqualTo("Redirect");
    assertThat(redirect.getSpec().getPort().getTargetPort().getStrVal()).isEqualTo("https");
    await("an event", () -> lastEvent("a1", "tls") != null);
    assertThat(lastEvent("a1", "tls").getType()).isEqualTo("Normal");
    assertThat(lastEvent("a1", "tls").getReason()).isEqualTo("RoutesMirrored");
  }

  @Test
  void followsTheGatewayThroughUpdatesAndDeletion() throws Exception {
    cluster(MockApiServer.openShift(), "a1");
    gateway(
        "a1",
        "gw",
        "spec:\n  selector: {istio: ingressgateway}\n  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: [foo.example.com]}]\n");
    start();
    await("the foo Route", () -> routeNames("istio-system").equals(List.of("a1-gw-45a335de")));

    replaceGateway(
        "a1",
        "gw",
        "spec:\n  selector: {istio: ingressgateway}\n  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: [bar.example.com, www.example.com]}]\n");
    await(
        "bar and www replace foo",
        () -> routeNames("istio-system").equals(List.of("a1-gw-80fc0fb9", "a1-gw-f2428e60")));
    String barUid = route("istio-system", "a1-gw-f2428e60").getMetadata().getUid();

    replaceGateway(
        "a1",
        "gw",
        "spec:\n  selector: {istio: ingressgateway}\n  servers: [{port: {number: 443, name: https, protocol: HTTPS}, hosts: [bar.example.com, www.example.com], tls: {mode: SIMPLE, httpsRedirect: true}}]\n");
    await(
        "bar is rewritten for TLS",
        () -> {
          Route bar = route("istio-system", "a1-gw-f2428e60");
          return bar.getSpec().getTls() != null
              && "https".equals(bar.getSpec().getPort().getTargetPort().getStrVal());
        });
    Route bar = route("istio-system", "a1-gw-f2428e60");
    assertThat(bar.getSpec().getTls().getInsecureEdgeTerminationPolicy()).isEqualTo("Redirect");
    assertThat(bar.getMetadata().getUid()).as("rewritten in place").isEqualTo(barUid);
    String version =
        api.client()
            .genericKubernetesResources(GATEWAYS)
            .inNamespace("a1")
            .withName("gw")
            .get()
            .getMetadata()
            .getResourceVersion();
    assertThat(bar.getMetadata().getLabels())
        .containsEntry("maistra.io/gateway-resourceVersion", version);

    api.client().genericKubernetesResources(GATEWAYS).inNamespace("a1").withName("gw").delete();
    await("the Routes go with the Gateway", () -> routes("istio-system").isEmpty());
  }

  @Test
  void leavesOptedOutAndEgressGatewaysAlone() throws Exception {
    cluster(MockApiServer.openShift(), "a1");
    api.create(
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: istio-egressgateway-1, namespace: istio-system, labels: {istio: egressgateway}}
        spec: {containers: [{name: istio-proxy, image: proxyv2}]}
        """);
    api.create(
        "apiVersion: v1\nkind: Service\nmetadata: {name: istio-egressgateway, namespace: istio-system}\nspec: {selector: {istio: egressgateway}, ports: [{name: http2, port: 80}]}\n");
    String servers =
        "  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: [foo.example.com]}]\n";
    gateway(
        "a1",
        "mine",
        "  annotations: {maistra.io/manageRoute: \"false\"}\nspec:\n  selector: {istio: ingressgateway}\n"
            + servers);
    gateway("a1", "egress", "spec:\n  selector: {istio: egressgateway}\n" + servers);
    gateway("a1", "managed", "spec:\n  selector: {istio: ingressgateway}\n" + servers);
    start();
    await(
        "the managed Gateway's Route",
        () -> routeNames("istio-system").equals(List.of("a1-managed-45a335de")));
    await(
        "events on the others",
        () -> lastEvent("a1", "mine") != null && lastEvent("a1", "egress") != null);
    assertThat(lastEvent("a1", "mine").getReason()).isEqualTo("RoutesNotManaged");
    assertThat(lastEvent("a1", "mine").getMessage())
        .isEqualTo("not mirrored as Routes; annotated maistra.io/manageRoute: \"false\"");
    assertThat(lastEvent("a1", "egress").getMessage())
        .isEqualTo(
            "not mirrored as Routes; an egress gateway (spec.selector istio: egressgateway) gets no Routes");

    // A value that is neither true nor false holds the Routes as they are.
    replaceGateway(
        "a1",
        "managed",
        "  annotations: {maistra.io/manageRoute: \"nope\"}\nspec:\n  selector: {istio: ingressgateway}\n"
            + servers);
    await("a warning", () -> "RoutesHeld".equals(lastEvent("a1", "managed").getReason()));
    assertThat(lastEvent("a1", "managed").getMessage())
        .isEqualTo(
            "Routes left as they are; annotation maistra.io/manageRoute: \"nope\" is neither \"true\" nor \"false\"");
    assertThat(routeNames("istio-system")).containsExactly("a1-managed-45a335de");

    // Opting out later takes back the Routes IOR made.
    replaceGateway(
        "a1",
        "managed",
        "  annotations: {maistra.io/manageRoute: \"False\"}\nspec:\n  selector: {istio: ingressgateway}\n"
            + servers);
    await("its Route is deleted", () -> routes("istio-system").isEmpty());
  }

  @Test
  void skipsHostsNoRouteCanCarryAndSaysWhy() throws Exception {
    cluster(MockApiServer.openShift(), "a1");
    gateway(
        "a1",
        "gw",
        """
        spec:
          selector: {istio: ingressgateway}
          servers:
          - port: {number: 80, name: http, protocol: HTTP}
            hosts: [foo.example.com, Bad_Host.example.com]
          - port: {number: 8080, name: http-alt, protocol: HTTP}
            hosts: [a2/foo.example.com]
        """);
    gateway(
        "a1",
        "nowhere",
        "spec:\n  selector: {istio: nothing-has-this}\n  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: [x.example.com]}]\n");
    gateway(
        "a1",
        "broken",
        "spec:\n  selector: {istio: ingressgateway}\n  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: [{name: x}]}]\n");
    start();
    await(
        "events",
        () ->
            lastEvent("a1", "gw") != null
                && lastEvent("a1", "nowhere") != null
                && lastEvent("a1", "broken") != null);
    assertThat(routeNames("istio-system")).containsExactly("a1-gw-45a335de");
    assertThat(lastEvent("a1", "gw").getType()).isEqualTo("Warning");
    assertThat(lastEvent("a1", "gw").getMessage())
        .isEqualTo(
            "Routes istio-system/a1-gw-45a335de for \"foo.example.com\"; skipped hosts: \"Bad_Host.example.com\":"
                + " \"Bad_Host.example.com\" is not a host name a Route accepts (lower-case letters, digits, '-' and '.', at"
                + " most 253 characters, a wildcard only as the whole first label); \"a2/foo.example.com\": Route"
                + " a1-gw-45a335de is already made for \"foo.example.com\" of servers[0]");
    assertThat(lastEvent("a1", "nowhere").getReason()).isEqualTo("RoutesHeld");
    assertThat(lastEvent("a1", "nowhere").getMessage())
        .isEqualTo(
            "Routes left as they are; no Service selects the pods of spec.selector {istio=nothing-has-this} in namespaces"
                + " [a1, istio-system]");
    assertThat(lastEvent("a1", "broken").getMessage())
        .isEqualTo(
            "Routes left as they are; cannot be read: spec.servers[0].hosts[0]: must be a non-empty string");
  }

  @Test
  void reconcilesTheRoutesItMadeWhenItStartsLeading() throws Exception {
    cluster(MockApiServer.openShift(), "a1");
    String servers =
        "  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: [foo.example.com, bar.example.com]}]\n";
    gateway("a1", "gw", "spec:\n  selector: {istio: ingressgateway}\n" + servers);
    gateway("a1", "old", "spec:\n  selector: {istio: ingressgateway}\n" + servers);
    start();
    await("four Routes", () -> routes("istio-system").size() == 4);
    stopAll();

    // While no one leads: one Route goes stale, one Gateway goes, a Route not made by IOR appears.
    Route stale = route("istio-system", "a1-gw-f2428e60");
    api.client()
        .resources(Route.class)
        .inNamespace("istio-system")
        .resource(
            new RouteBuilder(stale)
                .editSpec()
                .editPort()
                .withNewTargetPort("metrics")
                .endPort()
                .endSpec()
                .build())
        .update();
    api.client().genericKubernetesResources(GATEWAYS).inNamespace("a1").withName("old").delete();
    api.client()
        .resources(Route.class)
        .inNamespace("istio-system")
        .resource(
            new RouteBuilder()
                .withNewMetadata()
                .withName("by-hand")
                .withNamespace("istio-system")
                .endMetadata()
                .withNewSpec()
                .withHost("hand.example.com")
                .withNewTo()
                .withKind("Service")
                .withName("istio-ingressgateway")
                .endTo()
                .endSpec()
                .build())
        .create();
    Route current = route("istio-system", "a1-gw-45a335de");

    start();
    await(
        "the orphans are deleted",
        () ->
            routeNames("istio-system")
                .equals(List.of("a1-gw-45a335de", "a1-gw-f2428e60", "by-hand")));
    await(
        "the stale Route is rewritten",
        () ->
            "http2"
                .equals(
                    route("istio-system", "a1-gw-f2428e60")
                        .getSpec()
                        .getPort()
                        .getTargetPort()
                        .getStrVal()));
    assertThat(route("istio-system", "a1-gw-45a335de").getMetadata().getResourceVersion())
        .as("the current Route is kept as it is")
        .isEqualTo(current.getMetadata().getResourceVersion());
    assertThat(route("istio-system", "by-hand").getSpec().getHost()).isEqualTo("hand.example.com");
  }

  @Test
  void aGatewayWhoseNamespaceLeavesLosesItsRoutes() throws Exception {
    cluster(MockApiServer.openShift(), "a1", "a2");
    // a2 runs its own gateway pods: a1's Gateway selecting them gets its Route in a2.
    api.create(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: own-gw-1, namespace: a2, labels: {istio: own}}\nspec: {containers: [{name: p, image: proxyv2}]}\n");
    api.create(
        "apiVersion: v1\nkind: Service\nmetadata: {name: own-gw, namespace: a2}\nspec: {selector: {istio: own}, ports: [{name: http2, port: 80}]}\n");
    String servers =
        "  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: [foo.example.com]}]\n";
    gateway("a1", "stays", "spec:\n  selector: {istio: ingressgateway}\n" + servers);
    gateway("a2", "leaves", "spec:\n  selector: {istio: ingressgateway}\n" + servers);
    gateway("a1", "uses-a2", "spec:\n  selector: {istio: own}\n" + servers);
    start();
    await("three Routes", () -> routes("istio-system").size() == 2 && routes("a2").size() == 1);
    assertThat(routeNames("a2")).containsExactly("a1-uses-a2-45a335de");

    api.setMembers("istio-system", "default", List.of("a1"));
    await(
        "a2's Routes are gone",
        () ->
            routeNames("istio-system").equals(List.of("a1-stays-45a335de"))
                && routes("a2").isEmpty());
    await(
        "a2 is unconfigured",
        () ->
            !Objects.requireNonNullElse(
                    api.client().namespaces().withName("a2").get().getMetadata().getLabels(),
                    Map.<String, String>of())
                .containsKey("maistra.io/member-of"));
    await(
        "a1's Gateway on a2's pods is held",
        () -> "RoutesHeld".equals(lastEvent("a1", "uses-a2").getReason()));
    assertThat(lastEvent("a1", "uses-a2").getMessage())
        .isEqualTo(
            "Routes left as they are; no Service selects the pods of spec.selector {istio=own} in namespaces [a1, istio-system]");
    Thread.sleep(500);
    assertThat(routes("a2")).isEmpty();
  }

  @Test
  void staysOffWhereTheClusterServesNoRoutes() throws Exception {
    logs = new ListAppender<>();
    logs.start();
    ((Logger) LoggerFactory.getLogger(IorController.class)).addAppender(logs);
    cluster(new MockApiServer(), "a1");
    gateway(
        "a1",
        "gw",
        "spec:\n  selector: {istio: ingressgateway}\n  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: [foo.example.com]}]\n");
    IorController ior = start();
    await(
        "IOR says it is off",
        () -> logs.list.stream().anyMatch(e -> e.getFormattedMessage().contains("is off")));
    assertThat(logs.list.stream().map(ILoggingEvent::getFormattedMessage))
        .contains(
            "IOR of istio-system is off: the cluster does not serve route.openshift.io/v1 Routes, so Gateways are not"
                + " mirrored as Routes");
    await(
        "a1 is configured",
        () -> api.requestsFrom("member-controller").stream().anyMatch(r -> r.contains("/status")));
    Thread.sleep(500);
    assertThat(ior.isActive()).isFalse();
    assertThat(api.requestsFrom("ior")).containsExactly("GET /apis/route.openshift.io/v1");
  }
}
