package dev.mizzen.pilot.push;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mizzen.testing.mesh.MeshYaml;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A Service's endpoints from its EndpointSlices, as istiod reads them. */
class EndpointSlicesTest {
  private static final String SERVICE =
      MeshYaml.members("shop")
          + """
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: web, namespace: shop}
      spec:
        clusterIP: 10.96.0.10
        ports: [{name: http, port: 80, targetPort: 8080}, {name: admin, port: 9000}]
      """;

  private static List<String> addresses(PushContext push, int port) {
    return push.service("web.shop.svc.cluster.local").orElseThrow().endpoints(port).stream()
        .map(e -> e.ip() + ":" + e.port() + (e.podName().isEmpty() ? "" : "/" + e.podName()))
        .toList();
  }

  @Test
  void slicesOfOneServiceAreMergedAndOnlyReadyEndpointsServe() {
    PushContext push =
        Pushes.accepting(
            SERVICE
                + """
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: web-1, namespace: shop, labels: {app: web, version: v1}}
                spec: {serviceAccountName: web}
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: web-a, namespace: shop, labels: {kubernetes.io/service-name: web}}
                addressType: IPv4
                endpoints:
                - addresses: [10.1.0.1]
                  conditions: {ready: true, serving: true, terminating: false}
                  targetRef: {kind: Pod, name: web-1}
                - addresses: [10.1.0.2]
                - addresses: [10.1.0.3]
                  conditions: {ready: false, serving: false}
                - addresses: [10.1.0.4]
                  conditions: {ready: false, serving: true, terminating: true}
                ports: [{name: http, port: 8080, protocol: TCP}, {name: admin, port: 9000}]
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: web-b, namespace: shop, labels: {kubernetes.io/service-name: web}}
                addressType: IPv4
                endpoints: [{addresses: [10.1.0.5]}]
                ports: [{name: http, port: 8080}]
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: web-v6, namespace: shop, labels: {kubernetes.io/service-name: web}}
                addressType: IPv6
                endpoints: [{addresses: ["fd00::1"], targetRef: {kind: Pod, name: web-1}}]
                ports: [{name: http, port: 8080}]
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: web-dns, namespace: shop, labels: {kubernetes.io/service-name: web}}
                addressType: FQDN
                endpoints: [{addresses: [web.example.com]}]
                ports: [{name: http, port: 8080}]
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: other, namespace: shop, labels: {kubernetes.io/service-name: api}}
                addressType: IPv4
                endpoints: [{addresses: [10.9.9.9]}]
                ports: [{name: http, port: 8080}]
                """);
    assertThat(addresses(push, 80))
        .containsExactly(
            "10.1.0.1:8080/web-1", "10.1.0.2:8080", "10.1.0.5:8080", "fd00::1:8080/web-1");
    assertThat(addresses(push, 9000)).containsExactly("10.1.0.1:9000/web-1", "10.1.0.2:9000");
    var first = push.service("web.shop.svc.cluster.local").orElseThrow().endpoints(80).get(0);
    assertThat(first.labels()).containsEntry("version", "v1");
    assertThat(first.serviceAccount()).isEqualTo("web");
  }

  @Test
  void slicesWinOverTheEndpointsObjectAndWithoutSlicesItServes() {
    String endpoints =
        """
        ---
        apiVersion: v1
        kind: Endpoints
        metadata: {name: web, namespace: shop}
        subsets:
        - addresses: [{ip: 10.2.0.1}]
          ports: [{name: http, port: 8080}]
        """;
    assertThat(addresses(Pushes.accepting(SERVICE + endpoints), 80))
        .containsExactly("10.2.0.1:8080");
    assertThat(
            addresses(
                Pushes.accepting(
                    SERVICE
                        + endpoints
                        + """
                        ---
                        apiVersion: discovery.k8s.io/v1
                        kind: EndpointSlice
                        metadata: {name: web-a, namespace: shop, labels: {kubernetes.io/service-name: web}}
                        addressType: IPv4
                        endpoints: [{addresses: [10.1.0.1]}]
                        ports: [{name: http, port: 8080}]
                        """),
                80))
        .containsExactly("10.1.0.1:8080");
  }

  @Test
  void aServiceOfMoreThanAThousandAddressesKeepsThemAll() {
    StringBuilder y = new StringBuilder(SERVICE);
    for (int s = 0; s < 15; s++) {
      y.append(
          """
          ---
          apiVersion: discovery.k8s.io/v1
          kind: EndpointSlice
          metadata: {name: web-%d, namespace: shop, labels: {kubernetes.io/service-name: web}}
          addressType: IPv4
          ports: [{name: http, port: 8080}]
          endpoints:
          """
              .formatted(s));
      for (int i = 0; i < 100; i++) {
        y.append("- addresses: [10.3.%d.%d]\n".formatted(s, i));
      }
    }
    assertThat(addresses(Pushes.accepting(y.toString()), 80)).hasSize(1500);
  }
}
