package dev.mizzen.tests;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mizzen.ingest.kube.WatchScope;
import dev.mizzen.pilot.app.ControlPlane;
import dev.mizzen.tenancy.controller.MemberController;
import dev.mizzen.testing.kube.MockApiServer;
import dev.mizzen.testing.mesh.MeshYaml;
import dev.mizzen.testing.xds.AdsTestStream;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.fabric8.kubernetes.api.model.Event;
import java.net.InetSocketAddress;
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
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Two control planes side by side, whose tenants use the same service names: everything one of them
 * puts out (the xDS responses to each of its proxies, every debug endpoint, the dashboard, the
 * metrics, its logs at debug level and the events it writes) is searched for the names of the other
 * tenant's namespaces, and none is found. Each control plane runs alone while its output is
 * collected, so that every log line is its own.
 */
class TenantIsolationIT {
  /** Every name of tenant A's namespaces starts with this, and of tenant B's with "bravo". */
  private static final String ALPHA = "alpha";

  private static final String BRAVO = "bravo";

  private MockApiServer api;
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();

  @BeforeEach
  void cluster() throws Exception {
    api = new MockApiServer();
    tenant("istio-system", ALPHA);
    tenant("mesh-b", BRAVO);
    // Both rolls configured, both namespaces labelled, as in a cluster running the two.
    for (String cp : List.of("istio-system", "mesh-b")) {
      try (MemberController mc = memberController(cp)) {
        mc.start();
        MultitenancyIT.await(cp + " configures its members", () -> configured(cp).size() == 2);
      }
    }
  }

  @AfterEach
  void stop() {
    api.close();
  }

  private MemberController memberController(String controlPlane) {
    return new MemberController(
        api.newClient(), MemberController.Settings.defaults(controlPlane, "default", controlPlane));
  }

  private List<?> configured(String controlPlane) {
    Object v =
        api.client()
            .genericKubernetesResources(MockApiServer.ROLLS)
            .inNamespace(controlPlane)
            .withName("default")
            .get()
            .get("status", "configuredMembers");
    return v instanceof List<?> l ? l : List.of();
  }

  /**
   * A tenant of two namespaces, each with a service named as the other tenant's ("echo"), one named
   * after the namespace, a pod with its service account, routes, a destination rule, an
   * authorization policy naming the namespace's principals, a gateway, and one refused object (so
   * that there are errors and events to show).
   */
  private void tenant(String controlPlane, String prefix) {
    api.create("apiVersion: v1\nkind: Namespace\nmetadata: {name: " + controlPlane + "}\n");
    List<String> members = List.of(prefix + "-1", prefix + "-2");
    for (int i = 0; i < members.size(); i++) {
      String ns = members.get(i);
      String ip = (prefix.equals(ALPHA) ? "10.1." : "10.2.") + i + ".1";
      api.create("apiVersion: v1\nkind: Namespace\nmetadata: {name: " + ns + "}\n");
      for (String yaml :
          """
          apiVersion: v1
          kind: Service
          metadata: {name: echo, namespace: NS}
          spec:
            selector: {app: echo}
            ports: [{name: http, port: 8080}, {name: grpc, port: 7070}]
          ---
          apiVersion: v1
          kind: Service
          metadata: {name: NS-web, namespace: NS, labels: {team: NS-team}}
          spec:
            selector: {app: NS-web}
            ports: [{name: http, port: 9080}]
          ---
          apiVersion: discovery.k8s.io/v1
          kind: EndpointSlice
          metadata: {name: echo-x1, namespace: NS, labels: {kubernetes.io/service-name: echo}}
          addressType: IPv4
          endpoints: [{addresses: [IP], targetRef: {kind: Pod, name: NS-pod}}]
          ports: [{name: http, port: 8080}, {name: grpc, port: 7070}]
          ---
          apiVersion: discovery.k8s.io/v1
          kind: EndpointSlice
          metadata: {name: NS-web-x1, namespace: NS, labels: {kubernetes.io/service-name: NS-web}}
          addressType: IPv4
          endpoints: [{addresses: [IP], targetRef: {kind: Pod, name: NS-pod}}]
          ports: [{name: http, port: 9080}]
          ---
          apiVersion: v1
          kind: Pod
          metadata: {name: NS-pod, namespace: NS, labels: {app: echo, version: NS-v1}}
          spec:
            serviceAccountName: NS-sa
            containers: [{name: app, image: example}]
          status: {podIP: IP}
          ---
          apiVersion: networking.istio.io/v1
          kind: VirtualService
          metadata: {name: NS-routes, namespace: NS}
          spec:
            hosts: [echo]
            http:
            - name: NS-route
              match: [{headers: {x-tenant: {exact: NS-header}}}]
              route: [{destination: {host: NS-web}}]
            - route: [{destination: {host: echo, subset: v1}}]
          ---
          apiVersion: networking.istio.io/v1
          kind: DestinationRule
          metadata: {name: NS-rule, namespace: NS}
          spec:
            host: echo
            subsets: [{name: v1, labels: {version: NS-v1}}]
          ---
          apiVersion: security.istio.io/v1
          kind: AuthorizationPolicy
          metadata: {name: NS-policy, namespace: NS}
          spec:
            selector: {matchLabels: {app: echo}}
            rules:
            - from: [{source: {principals: [cluster.local/ns/NS/sa/NS-sa]}}]
              to: [{operation: {paths: [/NS-path]}}]
          ---
          apiVersion: networking.istio.io/v1
          kind: Gateway
          metadata: {name: NS-gateway, namespace: NS}
          spec:
            selector: {istio: NS-ingress}
            servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: [NS.example.com]}]
          ---
          apiVersion: networking.istio.io/v1
          kind: VirtualService
          metadata: {name: NS-broken, namespace: NS}
          spec:
            hosts: [echo]
            http: [{match: [{uri: {regex: "(NS"}}], route: [{destination: {host: echo}}]}]
          """
              .replace("NS", ns)
              .replace("IP", ip)
              .split("(?m)^---$")) {
        api.create(yaml);
      }
    }
    api.create(MeshYaml.memberRoll(controlPlane, members));
  }

  @Test
  void nothingOfTenantBLeavesTenantAsControlPlane() throws Exception {
    assertNoHits("istio-system", ALPHA, BRAVO);
  }

  @Test
  void nothingOfTenantALeavesTenantBsControlPlane() throws Exception {
    assertNoHits("mesh-b", BRAVO, ALPHA);
  }

  /**
   * Runs {@code controlPlane} alone with its member controller and collects all it puts out, which
   * must name {@code own} tenant and never the {@code other}.
   */
  private void assertNoHits(String controlPlane, String own, String other) throws Exception {
    Map<String, String> outputs = new LinkedHashMap<>();
    Set<String> eventsBefore = eventNames();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Logger mizzen = (Logger) LoggerFactory.getLogger("dev.mizzen");
    Level rootLevel = root.getLevel();
    Level mizzenLevel = mizzen.getLevel();
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    root.addAppender(logs);
    root.setLevel(Level.DEBUG);
    mizzen.setLevel(Level.DEBUG);
    try (MemberController mc = memberController(controlPlane);
        ControlPlane cp =
            ControlPlane.start(
                ControlPlane.Options.forTest(null, controlPlane)
                    .withMonitoring(new InetSocketAddress("127.0.0.1", 0)),
                new ControlPlane.Kube(
                    api.newClient(), WatchScope.NAMESPACES, Duration.ofSeconds(20)),
                null)) {
      mc.start();
      String ns = own + "-1";
      List<Node> proxies =
          List.of(
              AdsTestStream.sidecar(own + "-pod", ns),
              AdsTestStream.node(
                  "router~10.9.0.1~gw-1." + ns + "~" + ns + ".svc.cluster.local", ns, false),
              AdsTestStream.node(
                  "sidecar~10.9.0.2~client-1." + ns + "~" + ns + ".svc.cluster.local", ns, true));
      List<AdsTestStream> streams = new ArrayList<>();
      try {
        for (Node node : proxies) {
          AdsTestStream ads = new AdsTestStream(cp.xdsPort());
          streams.add(ads);
          outputs.put("xDS to " + node.getId(), ServedConfig.of(ads, node).text());
        }
        MultitenancyIT.await(
            "the refused objects are reported", () -> eventNames().size() > eventsBefore.size());
        for (String path : debugPaths(cp)) {
          outputs.put(path, get(cp.debugPort(), path));
        }
        String proxyId = own + "-pod." + ns;
        for (String path :
            List.of(
                "/debug",
                "/debug/config_dump?proxyID=" + proxyId,
                "/debug/authorizationz?proxyID=" + proxyId,
                "/debug/syncz?namespace=" + other + "-1",
                "/debug/configz?namespace=" + other + "-1",
                "/debug/registryz?namespace=" + other + "-1",
                "/version")) {
          outputs.put(path, get(cp.debugPort(), path));
        }
        outputs.put("/metrics", get(cp.monitoringPort(), "/metrics"));
      } finally {
        for (AdsTestStream s : streams) {
          s.close();
        }
      }
    } finally {
      root.detachAppender(logs);
      root.setLevel(rootLevel);
      mizzen.setLevel(mizzenLevel);
    }
    outputs.put(
        "logs at debug level",
        logs.list.stream()
            .map(e -> e.getLoggerName() + " " + e.getFormattedMessage())
            .collect(Collectors.joining("\n")));
    List<Event> written =
        api.client().v1().events().inAnyNamespace().list().getItems().stream()
            .filter(e -> !eventsBefore.contains(key(e)))
            .toList();
    assertThat(written).as("events written by " + controlPlane).isNotEmpty();
    outputs.put("events", json.writerWithDefaultPrettyPrinter().writeValueAsString(written));

    // The search sees what it searches: each output names this tenant.
    for (String where : List.of("xDS to " + proxies(own).get(0), "/debug/configz", "events")) {
      assertThat(outputs.get(where)).as(where).contains(own + "-1");
    }
    assertThat(outputs.get("logs at debug level")).contains(own + "-1");
    Map<String, List<String>> hits = new LinkedHashMap<>();
    outputs.forEach(
        (where, text) -> {
          List<String> found = hits(text, other);
          if (!found.isEmpty()) {
            hits.put(where, found);
          }
        });
    assertThat(hits).as("names of the other tenant in the output of " + controlPlane).isEmpty();
  }

  private static List<String> proxies(String own) {
    String ns = own + "-1";
    return List.of("sidecar~10.0.0.1~" + own + "-pod." + ns + "~" + ns + ".svc.cluster.local");
  }

  /** Each place {@code word} occurs, with what surrounds it. */
  private static List<String> hits(String text, String word) {
    List<String> found = new ArrayList<>();
    for (int i = text.indexOf(word); i >= 0; i = text.indexOf(word, i + 1)) {
      found.add(text.substring(Math.max(0, i - 60), Math.min(text.length(), i + 60)));
      if (found.size() == 5) {
        break;
      }
    }
    return found;
  }

  /** Every debug path the control plane lists, with and without the other tenant's namespace. */
  private List<String> debugPaths(ControlPlane cp) throws Exception {
    JsonNode list = json.readTree(get(cp.debugPort(), "/debug/list").substring(4));
    List<String> paths = new ArrayList<>();
    for (JsonNode e : list) {
      paths.add(e.get("path").asText());
    }
    assertThat(paths).contains("/debug/syncz", "/debug/configz", "/debug/authorizationz");
    return paths;
  }

  private String get(int port, String path) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
            HttpResponse.BodyHandlers.ofString());
    return r.statusCode() + " " + r.body();
  }

  private Set<String> eventNames() {
    return api.client().v1().events().inAnyNamespace().list().getItems().stream()
        .map(TenantIsolationIT::key)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static String key(Event e) {
    return e.getMetadata().getNamespace() + "/" + e.getMetadata().getName();
  }
}
