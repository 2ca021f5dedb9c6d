package dev.mizzen.ingest.parse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mizzen.ingest.model.ConfigError;
import dev.mizzen.ingest.model.DestinationRuleSpec;
import dev.mizzen.ingest.model.GatewaySpec;
import dev.mizzen.ingest.model.Kind;
import dev.mizzen.ingest.model.Protocol;
import dev.mizzen.ingest.model.ServiceEntrySpec;
import dev.mizzen.ingest.model.SidecarSpec;
import dev.mizzen.ingest.model.Spec;
import dev.mizzen.ingest.model.StringMatch;
import dev.mizzen.ingest.model.VirtualServiceSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** VirtualService, DestinationRule, Gateway, ServiceEntry and Sidecar as Istio writes them. */
class TrafficKindsTest {
  private final ManifestParser parser = new ManifestParser();

  private <S extends Spec> S accepted(Kind<S> kind, String yaml) {
    List<ParseResult> results = parser.parse("mesh.yaml", yaml);
    assertThat(results).hasSize(1);
    assertThat(results.get(0).error()).as("refusal").isNull();
    return kind.cast(results.get(0).config().spec());
  }

  private ConfigError refused(String yaml) {
    List<ParseResult> results = parser.parse("mesh.yaml", yaml);
    assertThat(results).hasSize(1);
    assertThat(results.get(0).isAccepted()).as("refused").isFalse();
    return results.get(0).error();
  }

  private static String vs(String http) {
    return """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: reviews, namespace: shop}
        spec:
          hosts: [reviews]
          http:
        """
        + http.indent(2);
  }

  @Test
  void readsEveryHttpRouteField() {
    VirtualServiceSpec spec =
        accepted(
            Kind.VIRTUAL_SERVICE,
            vs(
                """
                - name: all
                  match:
                  - name: m
                    uri: {prefix: /api}
                    ignoreUriCase: true
                    scheme: {exact: https}
                    method: {exact: GET}
                    authority: {prefix: shop.}
                    headers:
                      x-user: {regex: "a.*"}
                      x-any: {}
                    withoutHeaders:
                      x-debug: {exact: "1"}
                    queryParams:
                      v: {exact: "2"}
                    port: 9080
                    sourceLabels: {app: web}
                    sourceNamespace: front
                    gateways: [mesh]
                  route:
                  - destination: {host: reviews, subset: v1}
                    weight: 90
                    headers: {request: {set: {x-to: v1}}}
                  - destination: {host: reviews, subset: v2}
                    weight: 10
                  rewrite: {uri: /v2/api, authority: reviews.internal}
                  timeout: 3s
                  retries: {attempts: 2, perTryTimeout: 1s, retryOn: "5xx,503,unavailable", backoff: 25ms}
                  fault:
                    delay: {fixedDelay: 2s, percentage: {value: 12.5}}
                    abort: {httpStatus: 503, percentage: {value: 1}}
                  mirror: {host: shadow}
                  mirrorPercentage: {value: 25}
                  corsPolicy:
                    allowOrigins: [{exact: "https://shop.example"}]
                    allowMethods: [GET, POST]
                    allowHeaders: [x-user]
                    exposeHeaders: [x-trace]
                    maxAge: 24h
                    allowCredentials: true
                  headers:
                    request: {add: {x-a: "1"}, remove: [x-b]}
                    response: {set: {x-c: "2"}}
                """));
    var route = spec.http().get(0);
    var m = route.matches().get(0);
    assertThat(m.uri()).isEqualTo(StringMatch.prefix("/api"));
    assertThat(m.ignoreUriCase()).isTrue();
    assertThat(m.scheme()).isEqualTo(StringMatch.exact("https"));
    assertThat(m.method()).isEqualTo(StringMatch.exact("GET"));
    assertThat(m.authority()).isEqualTo(StringMatch.prefix("shop."));
    assertThat(m.headers())
        .containsExactly(
            new VirtualServiceSpec.HeaderMatch("x-user", StringMatch.regex("a.*", 13)),
            new VirtualServiceSpec.HeaderMatch("x-any", null));
    assertThat(m.withoutHeaders())
        .containsExactly(new VirtualServiceSpec.HeaderMatch("x-debug", StringMatch.exact("1")));
    assertThat(m.queryParams())
        .containsExactly(new VirtualServiceSpec.HeaderMatch("v", StringMatch.exact("2")));
    assertThat(m.port()).isEqualTo(9080);
    assertThat(m.sourceLabels()).isEqualTo(Map.of("app", "web"));
    assertThat(m.sourceNamespace()).isEqualTo("front");
    assertThat(m.gateways()).containsExactly("mesh");
    assertThat(route.route().get(0).headers().request().set()).isEqualTo(Map.of("x-to", "v1"));
    assertThat(route.rewrite())
        .isEqualTo(new VirtualServiceSpec.Rewrite("/v2/api", "reviews.internal", "", "", 0));
    assertThat(route.timeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(route.retries().backoff()).isEqualTo(Duration.ofMillis(25));
    assertThat(route.fault())
        .isEqualTo(new VirtualServiceSpec.Fault(Duration.ofSeconds(2), 12.5, 503, "", 1));
    assertThat(route.mirrors()).containsExactly(new VirtualServiceSpec.Mirror("shadow", "", 0, 25));
    assertThat(route.corsPolicy().maxAge()).isEqualTo(Duration.ofHours(24));
    assertThat(route.corsPolicy().allowOrigins())
        .containsExactly(StringMatch.exact("https://shop.example"));
    assertThat(route.headers().request().remove()).containsExactly("x-b");
    assertThat(route.headers().response().set()).isEqualTo(Map.of("x-c", "2"));
  }

  @Test
  void readsRedirectsDirectResponsesDelegatesAndL4Routes() {
    VirtualServiceSpec spec =
        accepted(
            Kind.VIRTUAL_SERVICE,
            """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: edge, namespace: shop}
            spec:
              hosts: [shop.example.com]
              gateways: [shop-gateway, mesh]
              http:
              - match: [{uri: {exact: /old}}]
                redirect: {uri: /new, redirectCode: 302, derivePort: FROM_REQUEST_PORT}
              - match: [{uri: {exact: /ping}}]
                directResponse: {status: 200, body: {string: pong}}
              - delegate: {name: reviews-routes, namespace: team}
              tcp:
              - match: [{port: 3306, destinationSubnets: [10.0.0.0/8], sourceLabels: {app: api}}]
                route: [{destination: {host: db, port: {number: 3306}}}]
              tls:
              - match: [{sniHosts: [shop.example.com], port: 443}]
                route: [{destination: {host: shop, port: {number: 8443}}}]
            """);
    assertThat(spec.http().get(0).redirect())
        .isEqualTo(new VirtualServiceSpec.Redirect("/new", "", "", 302, 0, "FROM_REQUEST_PORT"));
    assertThat(spec.http().get(1).directResponse())
        .isEqualTo(new VirtualServiceSpec.DirectResponse(200, "pong", false));
    assertThat(spec.http().get(2).delegate())
        .isEqualTo(new VirtualServiceSpec.Delegate("reviews-routes", "team"));
    assertThat(spec.tcp().get(0).matches().get(0).destinationSubnets())
        .containsExactly("10.0.0.0/8");
    assertThat(spec.tls().get(0).matches().get(0).sniHosts()).containsExactly("shop.example.com");

    VirtualServiceSpec delegate =
        accepted(
            Kind.VIRTUAL_SERVICE,
            """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: reviews-routes, namespace: team}
            spec:
              http:
              - route: [{destination: {host: reviews}}]
            """);
    assertThat(delegate.isDelegate()).isTrue();
  }

  @Test
  void refusesHttpRoutesIstioRefuses() {
    ConfigError both =
        refused(
            vs(
                """
            - redirect: {uri: /new}
              route: [{destination: {host: reviews}}]
            """));
    assertThat(both.field()).isEqualTo("spec.http[0]");
    assertThat(both.reason())
        .isEqualTo("route, redirect, directResponse and delegate exclude each other");

    ConfigError code = refused(vs("- redirect: {uri: /new, redirectCode: 200}"));
    assertThat(code.field()).isEqualTo("spec.http[0].redirect.redirectCode");
    assertThat(code.reason()).isEqualTo("200 is not a redirect code (301, 302, 303, 307 or 308)");

    ConfigError status =
        refused(
            vs(
                """
            - fault: {abort: {httpStatus: 700}}
              route: [{destination: {host: reviews}}]
            """));
    assertThat(status.field()).isEqualTo("spec.http[0].fault.abort.httpStatus");
    assertThat(status.reason()).isEqualTo("must be between 200 and 599");

    ConfigError exponential =
        refused(
            vs(
                """
            - fault: {delay: {exponentialDelay: 1s}}
              route: [{destination: {host: reviews}}]
            """));
    assertThat(exponential.field()).isEqualTo("spec.http[0].fault.delay.exponentialDelay");
    assertThat(exponential.reason()).isEqualTo("not supported by Istio; use fixedDelay");

    ConfigError retryOn =
        refused(
            vs(
                """
            - retries: {attempts: 2, retryOn: "sometimes"}
              route: [{destination: {host: reviews}}]
            """));
    assertThat(retryOn.field()).isEqualTo("spec.http[0].retries.retryOn");
    assertThat(retryOn.reason())
        .isEqualTo(
            "\"sometimes\" is not a retry condition Envoy knows (such as 5xx, connect-failure, unavailable) or an HTTP status code");

    ConfigError prefixQuery =
        refused(
            vs(
                """
            - match: [{queryParams: {v: {prefix: "1"}}}]
              route: [{destination: {host: reviews}}]
            """));
    assertThat(prefixQuery.field()).isEqualTo("spec.http[0].match[0].queryParams.v.prefix");

    ConfigError meshWildcard =
        refused(
            """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: all, namespace: shop}
            spec:
              hosts: ["*"]
              http: [{route: [{destination: {host: reviews}}]}]
            """);
    assertThat(meshWildcard.field()).isEqualTo("spec.hosts[0]");
    assertThat(meshWildcard.reason())
        .isEqualTo(
            "the host \"*\" is only allowed in VirtualServices bound to gateways, not to the mesh");

    ConfigError sni =
        refused(
            """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: tls, namespace: shop}
            spec:
              hosts: [a.example.com]
              tls:
              - match: [{sniHosts: [b.example.com]}]
                route: [{destination: {host: b}}]
            """);
    assertThat(sni.field()).isEqualTo("spec.tls[0].match[0].sniHosts[0]");
    assertThat(sni.reason())
        .isEqualTo("\"b.example.com\" matches none of spec.hosts [a.example.com]");
  }

  @Test
  void readsDestinationRulePoliciesPerPortAndSubset() {
    DestinationRuleSpec dr =
        accepted(
            Kind.DESTINATION_RULE,
            """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: reviews, namespace: shop}
            spec:
              host: reviews
              trafficPolicy:
                loadBalancer:
                  consistentHash:
                    httpHeaderName: x-user
                    ringHash: {minimumRingSize: 1024}
                connectionPool:
                  tcp: {maxConnections: 100, connectTimeout: 30ms, tcpKeepalive: {time: 7200s, interval: 75s, probes: 3}}
                  http: {http1MaxPendingRequests: 10, maxRequestsPerConnection: 1, h2UpgradePolicy: UPGRADE}
                outlierDetection: {consecutive5xxErrors: 7, interval: 5m, baseEjectionTime: 15m, maxEjectionPercent: 50}
                tls: {mode: ISTIO_MUTUAL}
                portLevelSettings:
                - port: {number: 9443}
                  tls: {mode: SIMPLE, sni: reviews.example.com}
              subsets:
              - name: v1
                labels: {version: v1}
                trafficPolicy:
                  loadBalancer: {simple: LEAST_REQUEST}
            """);
    var hash = dr.trafficPolicy().loadBalancer().hash();
    assertThat(hash.httpHeaderName()).isEqualTo("x-user");
    assertThat(hash.minimumRingSize()).isEqualTo(1024);
    assertThat(dr.trafficPolicy().connectionPool().maxConnections()).isEqualTo(100);
    assertThat(dr.trafficPolicy().connectionPool().tcpKeepaliveProbes()).isEqualTo(3);
    assertThat(dr.trafficPolicy().outlierDetection().consecutive5xxErrors()).isEqualTo(7);
    var port = dr.trafficPolicy().forPort(9443);
    assertThat(port.tls().mode()).isEqualTo(DestinationRuleSpec.TlsMode.SIMPLE);
    assertThat(port.loadBalancer()).isEqualTo(dr.trafficPolicy().loadBalancer());
    var v1 =
        dr.trafficPolicy()
            .forPort(9080)
            .overriddenBy(dr.subset("v1").get().trafficPolicy().forPort(9080));
    assertThat(v1.loadBalancer().simple()).isEqualTo(DestinationRuleSpec.SimpleLb.LEAST_REQUEST);
    assertThat(v1.tls().mode()).isEqualTo(DestinationRuleSpec.TlsMode.ISTIO_MUTUAL);

    ConfigError mutual =
        refused(
            """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: ext, namespace: shop}
            spec:
              host: api.example.com
              trafficPolicy: {tls: {mode: MUTUAL}}
            """);
    assertThat(mutual.field()).isEqualTo("spec.trafficPolicy.tls");
    assertThat(mutual.reason())
        .isEqualTo("MUTUAL needs clientCertificate and privateKey, or credentialName");

    ConfigError ring =
        refused(
            """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: ring, namespace: shop}
            spec:
              host: reviews
              trafficPolicy: {loadBalancer: {consistentHash: {useSourceIp: true, ringHash: {size: 3}}}}
            """);
    assertThat(ring.field())
        .isEqualTo("spec.trafficPolicy.loadBalancer.consistentHash.ringHash.size");
    assertThat(ring.reason()).isEqualTo("unknown field");
  }

  @Test
  void readsGatewaysAndRefusesQuic() {
    GatewaySpec gw =
        accepted(
            Kind.GATEWAY,
            """
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata: {name: shop-gateway, namespace: shop}
            spec:
              selector: {istio: ingressgateway}
              servers:
              - port: {number: 80, name: http, protocol: HTTP}
                hosts: [shop/shop.example.com]
                tls: {httpsRedirect: true}
              - port: {number: 443, name: https, protocol: HTTPS}
                hosts: ["./shop.example.com"]
                tls: {mode: MUTUAL, credentialName: shop-cert}
              - port: {number: 15443, name: tls, protocol: TLS}
                hosts: ["*.local"]
                tls: {mode: AUTO_PASSTHROUGH}
            """);
    assertThat(gw.selector()).isEqualTo(Map.of("istio", "ingressgateway"));
    assertThat(gw.servers().get(0).tls().httpsRedirect()).isTrue();
    assertThat(gw.servers().get(1).tls().mode()).isEqualTo(GatewaySpec.TlsMode.MUTUAL);
    assertThat(gw.servers().get(1).terminatesTls()).isTrue();
    assertThat(gw.servers().get(2).terminatesTls()).isFalse();

    ConfigError quic =
        refused(
            """
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata: {name: h3, namespace: shop}
            spec:
              servers:
              - port: {number: 443, name: h3, protocol: HTTP3}
                hosts: ["*"]
            """);
    assertThat(quic.field()).isEqualTo("spec.servers[0].port.protocol");
    assertThat(quic.reason())
        .isEqualTo(
            "QUIC and HTTP/3 are not supported: Maistra's proxies serve no QUIC listeners; use HTTPS or HTTP2");

    ConfigError noTls =
        refused(
            """
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata: {name: bare, namespace: shop}
            spec:
              servers:
              - port: {number: 443, name: https, protocol: HTTPS}
                hosts: ["*"]
            """);
    assertThat(noTls.field()).isEqualTo("spec.servers[0].tls");
    assertThat(noTls.reason()).isEqualTo("required for HTTPS servers");
  }

  @Test
  void readsServiceEntriesAndRefusesExternalWorkloads() {
    ServiceEntrySpec se =
        accepted(
            Kind.SERVICE_ENTRY,
            """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: payments, namespace: shop}
            spec:
              hosts: [payments.example.com]
              addresses: [240.0.0.10]
              location: MESH_EXTERNAL
              resolution: STATIC
              ports: [{number: 443, name: https, protocol: HTTPS, targetPort: 8443}]
              endpoints:
              - {address: 10.9.0.1, labels: {version: v1}, ports: {https: 9443}, weight: 3}
            """);
    assertThat(se.external()).isTrue();
    assertThat(se.resolution()).isEqualTo(ServiceEntrySpec.Resolution.STATIC);
    assertThat(se.ports())
        .containsExactly(new ServiceEntrySpec.Port(443, "https", Protocol.HTTPS, 8443));
    assertThat(se.endpoints().get(0).ports()).isEqualTo(Map.of("https", 9443));

    ConfigError selector =
        refused(
            """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: vm, namespace: shop}
            spec:
              hosts: [vm.shop.svc.cluster.local]
              ports: [{number: 80, name: http, protocol: HTTP}]
              workloadSelector: {labels: {app: vm}}
            """);
    assertThat(selector.field()).isEqualTo("spec.workloadSelector");
    assertThat(selector.reason())
        .isEqualTo("external workloads (virtual machines) are not supported");

    ConfigError entry =
        refused(
            """
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata: {name: vm-1, namespace: shop}
            spec: {address: 10.0.0.9, labels: {app: vm}}
            """);
    assertThat(entry.message())
        .isEqualTo(
            "mesh.yaml:1: WorkloadEntry shop/vm-1: external workloads (virtual machines) are not supported");

    ConfigError staticWithoutEndpoints =
        refused(
            """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: s, namespace: shop}
            spec:
              hosts: [s.example.com]
              resolution: STATIC
              ports: [{number: 80, name: http, protocol: HTTP}]
            """);
    assertThat(staticWithoutEndpoints.field()).isEqualTo("spec.endpoints");
    assertThat(staticWithoutEndpoints.reason()).isEqualTo("resolution STATIC needs endpoints");

    ConfigError quic =
        refused(
            """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: q, namespace: shop}
            spec:
              hosts: [q.example.com]
              ports: [{number: 443, name: quic, protocol: QUIC}]
            """);
    assertThat(quic.field()).isEqualTo("spec.ports[0].protocol");
    assertThat(quic.reason()).startsWith("QUIC and HTTP/3 are not supported");
  }

  @Test
  void readsSidecars() {
    SidecarSpec sc =
        accepted(
            Kind.SIDECAR,
            """
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: default, namespace: shop}
            spec:
              ingress:
              - port: {number: 9080, protocol: HTTP, name: http}
                defaultEndpoint: 127.0.0.1:8080
              egress:
              - port: {number: 3306, protocol: TCP, name: mysql}
                hosts: [db/mysql.db.svc.cluster.local]
              - hosts: ["./*", "istio-system/*"]
              outboundTrafficPolicy: {mode: REGISTRY_ONLY}
            """);
    assertThat(sc.ingress())
        .containsExactly(new SidecarSpec.IngressListener(9080, Protocol.HTTP, "http", 8080));
    assertThat(sc.egress().get(1))
        .isEqualTo(new SidecarSpec.EgressListener(0, null, List.of("./*", "istio-system/*")));
    assertThat(sc.outboundRegistryOnly()).isTrue();

    ConfigError order =
        refused(
            """
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: bad, namespace: shop}
            spec:
              egress:
              - hosts: ["./*"]
              - port: {number: 80, protocol: HTTP, name: http}
                hosts: ["./*"]
            """);
    assertThat(order.field()).isEqualTo("spec.egress[0].port");
    assertThat(order.reason())
        .isEqualTo(
            "the egress listener without a port catches every other port and must come last");

    ConfigError host =
        refused(
            """
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: bad, namespace: shop}
            spec:
              egress: [{hosts: [reviews]}]
            """);
    assertThat(host.field()).isEqualTo("spec.egress[0].hosts[0]");
    assertThat(host.reason())
        .isEqualTo("\"reviews\": write NAMESPACE/HOST (namespace may be ., * or ~)");
  }
}
