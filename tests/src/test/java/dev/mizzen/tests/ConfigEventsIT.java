package dev.mizzen.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mizzen.ingest.kube.WatchScope;
import dev.mizzen.pilot.app.ControlPlane;
import dev.mizzen.pilot.cache.TypeUrls;
import dev.mizzen.testing.kube.MockApiServer;
import dev.mizzen.testing.mesh.MeshYaml;
import dev.mizzen.testing.xds.AdsTestStream;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.fabric8.kubernetes.api.model.Event;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * In a cluster, what went wrong with a config object shows on the object as a Warning event, as
 * {@code oc describe} shows it: an object left out, with its field and reason; a proxy's refusal of
 * what an object produced, once per object however many proxies of a shape refused it.
 */
class ConfigEventsIT {
  @Test
  void refusalsShowAsEventsOnTheObjects() throws Exception {
    try (MockApiServer api = new MockApiServer()) {
      for (String ns : List.of("istio-system", "a1")) {
        api.create("apiVersion: v1\nkind: Namespace\nmetadata: {name: " + ns + "}\n");
      }
      api.create(MeshYaml.memberRoll("istio-system", List.of("a1")));
      api.configure("istio-system", "default", List.of("a1"));
      api.create(
          """
          apiVersion: v1
          kind: Service
          metadata: {name: web, namespace: a1}
          spec:
            clusterIP: 10.96.0.10
            ports: [{name: http, port: 8080}]
          """);
      api.create(
          """
          apiVersion: networking.istio.io/v1
          kind: VirtualService
          metadata: {name: web, namespace: a1}
          spec:
            hosts: [web.a1.svc.cluster.local]
            http:
            - timeout: 2s
              route: [{destination: {host: web.a1.svc.cluster.local}}]
          """);
      api.create(
          """
          apiVersion: networking.istio.io/v1
          kind: VirtualService
          metadata: {name: bad-regex, namespace: a1}
          spec:
            hosts: [other.a1.svc.cluster.local]
            http:
            - match: [{uri: {regex: "(unclosed"}}]
              route: [{destination: {host: web.a1.svc.cluster.local}}]
          """);
      try (ControlPlane cp =
              ControlPlane.start(
                  ControlPlane.Options.forTest(null, "istio-system"),
                  new ControlPlane.Kube(
                      api.newClient(), WatchScope.NAMESPACES, Duration.ofSeconds(20)),
                  null);
          AdsTestStream one = new AdsTestStream(cp.xdsPort());
          AdsTestStream two = new AdsTestStream(cp.xdsPort())) {
        for (AdsTestStream s : List.of(one, two)) {
          s.request(
              AdsTestStream.sidecar(s == one ? "web-1" : "web-2", "a1"),
              TypeUrls.ROUTE,
              List.of("8080"),
              "",
              "");
          DiscoveryResponse r = s.next();
          s.nack(
              r,
              List.of("8080"),
              "Error adding/updating route 8080: virtual host web.a1.svc.cluster.local:8080: bad timeout");
        }

        AdsTestStream.await(
            () -> !events(api, "Refused").isEmpty() && !events(api, "ProxyRejected").isEmpty());
        Thread.sleep(500);
        List<Event> refused = events(api, "Refused");
        assertThat(refused).hasSize(1);
        assertThat(refused.get(0).getInvolvedObject().getKind()).isEqualTo("VirtualService");
        assertThat(refused.get(0).getInvolvedObject().getName()).isEqualTo("bad-regex");
        assertThat(refused.get(0).getMessage()).startsWith("spec.http[0].match[0].uri.regex: ");

        List<Event> events = events(api, "ProxyRejected");
        // The virtual host comes from the Service and its VirtualService: one event on each,
        // whatever the number of proxies of that shape that refused it.
        assertThat(events)
            .extracting(e -> e.getInvolvedObject().getKind())
            .containsExactlyInAnyOrder("Service", "VirtualService");
        Event e =
            events.stream()
                .filter(x -> x.getInvolvedObject().getKind().equals("VirtualService"))
                .findFirst()
                .orElseThrow();
        assertThat(e.getType()).isEqualTo("Warning");
        assertThat(e.getReason()).isEqualTo("ProxyRejected");
        assertThat(e.getInvolvedObject().getKind()).isEqualTo("VirtualService");
        assertThat(e.getInvolvedObject().getApiVersion()).startsWith("networking.istio.io/");
        assertThat(e.getInvolvedObject().getNamespace()).isEqualTo("a1");
        assertThat(e.getInvolvedObject().getName()).isEqualTo("web");
        assertThat(e.getMessage()).contains("refused route version").contains("bad timeout");
        assertThat(e.getSource().getComponent()).isEqualTo("mizzen");
      }
    }
  }

  private static List<Event> events(MockApiServer api, String reason) {
    return api.client().v1().events().inNamespace("a1").list().getItems().stream()
        .filter(e -> reason.equals(e.getReason()))
        .toList();
  }
}
