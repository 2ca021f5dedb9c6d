package dev.mizzen.ingest.parse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mizzen.ingest.model.AuthorizationPolicySpec;
import dev.mizzen.ingest.model.AuthorizationPolicySpec.Problem;
import dev.mizzen.ingest.model.Kind;
import dev.mizzen.ingest.model.Protocol;
import dev.mizzen.ingest.model.ServiceEntrySpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Inputs from Istio's own validation tests that Mizzen used to misread: enum values Istio does not
 * define, empty list items, checks Istio makes, and forms Istio allows.
 */
class StrictReadingTest {
  private final ManifestParser parser = new ManifestParser();

  private ParseResult only(String yaml) {
    List<ParseResult> results = parser.parse("mesh.yaml", yaml);
    assertThat(results).hasSize(1);
    return results.get(0);
  }

  /** "field: reason" of the refusal. */
  private String refusal(String yaml) {
    ParseResult r = only(yaml);
    assertThat(r.isAccepted()).as("refused").isFalse();
    return r.error().field() + ": " + r.error().reason();
  }

  private static String object(String apiVersion, String kind, String spec) {
    return "apiVersion: "
        + apiVersion
        + "\nkind: "
        + kind
        + "\nmetadata: {name: x, namespace: shop}\nspec:\n"
        + spec.indent(2);
  }

  private static String policy(String spec) {
    return object("security.istio.io/v1", "AuthorizationPolicy", spec);
  }

  private static String peer(String spec) {
    return object("security.istio.io/v1", "PeerAuthentication", spec);
  }

  private static String rule(String spec) {
    return object("networking.istio.io/v1", "DestinationRule", "host: reviews\n" + spec);
  }

  private static String entry(String spec) {
    return object("networking.istio.io/v1", "ServiceEntry", "hosts: [api.example.com]\n" + spec);
  }

  @Test
  void refusesEnumValuesIstioDoesNotDefine() {
    assertThat(refusal(policy("action: DENNY\nrules: [{}]")))
        .isEqualTo("spec.action: unknown value \"DENNY\"; allowed: ALLOW, DENY, AUDIT, CUSTOM");
    for (String mode : List.of("STRICTT", "strict", "BLAH")) {
      assertThat(refusal(peer("mtls: {mode: " + mode + "}")))
          .isEqualTo(
              "spec.mtls.mode: unknown value \""
                  + mode
                  + "\"; allowed: UNSET, DISABLE, PERMISSIVE, STRICT");
    }
    assertThat(refusal(rule("trafficPolicy: {tls: {mode: simple}}")))
        .isEqualTo(
            "spec.trafficPolicy.tls.mode: unknown value \"simple\"; allowed: DISABLE, SIMPLE, MUTUAL, ISTIO_MUTUAL");
    assertThat(refusal(rule("trafficPolicy: {loadBalancer: {simple: LEAST_CONNECTIONS}}")))
        .isEqualTo(
            "spec.trafficPolicy.loadBalancer.simple: unknown value \"LEAST_CONNECTIONS\"; allowed: UNSPECIFIED,"
                + " LEAST_CONN, RANDOM, PASSTHROUGH, ROUND_ROBIN, LEAST_REQUEST");
    assertThat(
            refusal(
                object(
                    "networking.istio.io/v1",
                    "Sidecar",
                    "outboundTrafficPolicy: {mode: REGISTRY}")))
        .isEqualTo(
            "spec.outboundTrafficPolicy.mode: unknown value \"REGISTRY\"; allowed: REGISTRY_ONLY, ALLOW_ANY");
    assertThat(refusal(entry("resolution: dns")))
        .isEqualTo(
            "spec.resolution: unknown value \"dns\"; allowed: NONE, STATIC, DNS, DNS_ROUND_ROBIN, DYNAMIC_DNS");
    assertThat(refusal(entry("location: EXTERNAL")))
        .isEqualTo(
            "spec.location: unknown value \"EXTERNAL\"; allowed: MESH_EXTERNAL, MESH_INTERNAL");
    assertThat(refusal(peer("mtls: {mode: 3}")))
        .isEqualTo(
            "spec.mtls.mode: wrong type: expected a string, one of UNSET, DISABLE, PERMISSIVE, STRICT");
    assertThat(
            refusal(
                object("rbac.maistra.io/v1", "ServiceMeshRbacConfig", "mode: ON_WITH_EXCLUSIONS")))
        .isEqualTo(
            "spec.mode: unknown value \"ON_WITH_EXCLUSIONS\"; allowed: OFF, ON, ON_WITH_INCLUSION, ON_WITH_EXCLUSION");
  }

  @Test
  void refusesEmptyListItemsWithTheirPath() {
    String vs = "hosts: [reviews]\nhttp:\n";
    assertThat(refusal(object("networking.istio.io/v1", "VirtualService", vs + "- ")))
        .isEqualTo("spec.http[0]: empty list item");
    assertThat(refusal(object("networking.istio.io/v1", "VirtualService", vs + "- route:\n  - ")))
        .isEqualTo("spec.http[0].route[0]: empty list item");
    assertThat(refusal(rule("subsets:\n- {name: v1}\n- ")))
        .isEqualTo("spec.subsets[1]: empty list item");
    assertThat(refusal(object("networking.istio.io/v1", "Gateway", "servers:\n- ")))
        .isEqualTo("spec.servers[0]: empty list item");
    assertThat(refusal(entry("ports:\n- "))).isEqualTo("spec.ports[0]: empty list item");
    assertThat(refusal(object("networking.istio.io/v1", "Sidecar", "egress:\n- ")))
        .isEqualTo("spec.egress[0]: empty list item");
    String jwt =
        "jwtRules:\n- issuer: https://issuer.example\n  jwksUri: https://issuer.example/keys\n";
    assertThat(refusal(object("security.istio.io/v1", "RequestAuthentication", "jwtRules:\n- ")))
        .isEqualTo("spec.jwtRules[0]: empty list item");
    assertThat(
            refusal(
                object(
                    "security.istio.io/v1", "RequestAuthentication", jwt + "  fromHeaders:\n  - ")))
        .isEqualTo("spec.jwtRules[0].fromHeaders[0]: empty list item");
    assertThat(refusal(peer("selector: {matchLabels: {app: }}")))
        .isEqualTo("spec.selector.matchLabels.app: empty value");
    // Kubernetes kinds too: the API server never stores an empty item.
    assertThat(refusal(object("v1", "Service", "ports:\n- ")))
        .isEqualTo("spec.ports[0]: empty list item");
    assertThat(
            refusal(
                "apiVersion: v1\nkind: Endpoints\nmetadata: {name: x, namespace: shop}\n"
                    + "subsets:\n- addresses: [null]\n"))
        .isEqualTo("subsets[0].addresses[0]: empty list item");
  }

  @Test
  void anEmptyConditionMakesItsRuleUnreadable() {
    ParseResult r = only(policy("rules:\n- when:\n  - "));
    AuthorizationPolicySpec p = Kind.AUTHORIZATION_POLICY.cast(r.config().spec());
    assertThat(p.problems())
        .containsExactly(new Problem("spec.rules[0].when[0]", "unreadable rule: empty list item"));
  }

  @Test
  void aSourceMayNotMixServiceAccountsWithPrincipalsOrNamespaces() {
    for (String other :
        List.of(
            "namespaces: [front]",
            "principals: [cluster.local/ns/front/sa/web]",
            "notNamespaces: [x]")) {
      ParseResult r =
          only(
              policy("rules:\n- from:\n  - source: {serviceAccounts: [front/web], " + other + "}"));
      AuthorizationPolicySpec p = Kind.AUTHORIZATION_POLICY.cast(r.config().spec());
      assertThat(p.problems())
          .containsExactly(
              new Problem(
                  "spec.rules[0].from[0].source.serviceAccounts",
                  "unreadable rule: serviceAccounts cannot be combined with principals or namespaces (or their not*"
                      + " forms) in one source"));
    }
  }

  @Test
  void refusesAnEmptyPortLevelMtlsAndAnExclusionModeWithoutExclusion() {
    assertThat(refusal(peer("selector: {matchLabels: {app: web}}\nportLevelMtls: {}")))
        .isEqualTo("spec.portLevelMtls: empty: name at least one port, or leave the field out");
    assertThat(only(peer("mtls: {mode: STRICT}")).error()).as("no portLevelMtls at all").isNull();
    assertThat(only(peer("mtls: {mode: STRICT}\nportLevelMtls: ")).error())
        .as("a null portLevelMtls is absent")
        .isNull();
    String rbac =
        "apiVersion: rbac.maistra.io/v1\nkind: ServiceMeshRbacConfig\nmetadata: {name: default, namespace: istio-system}\n";
    assertThat(refusal(rbac + "spec: {mode: ON_WITH_EXCLUSION}"))
        .isEqualTo(
            "spec.exclusion: required by mode ON_WITH_EXCLUSION (write exclusion: {} for none)");
    assertThat(refusal(rbac + "spec: {mode: ON_WITH_INCLUSION}"))
        .isEqualTo(
            "spec.inclusion: required by mode ON_WITH_INCLUSION (write inclusion: {} for none)");
    assertThat(only(rbac + "spec: {mode: ON_WITH_EXCLUSION, exclusion: {}}").isAccepted()).isTrue();
  }

  @Test
  void acceptsServiceEntriesWithoutPortsOrProtocolsAndUnquotedIpv6Addresses() {
    ParseResult noPorts = only(entry("location: MESH_EXTERNAL\nresolution: DNS"));
    assertThat(noPorts.error()).isNull();
    assertThat(Kind.SERVICE_ENTRY.cast(noPorts.config().spec()).ports()).isEmpty();

    ParseResult sniffed = only(entry("ports: [{number: 8080, name: web}]\nresolution: DNS"));
    assertThat(sniffed.error()).isNull();
    assertThat(Kind.SERVICE_ENTRY.cast(sniffed.config().spec()).ports())
        .containsExactly(new ServiceEntrySpec.Port(8080, "web", Protocol.UNSPECIFIED, 0));

    ParseResult v6 =
        only(
            entry(
                "addresses:\n- 2001:db8::1\n- ::1\n- 2001:db8::\n- 2001:db8::/64\nports: [{number: 443, name: tls, protocol: TLS}]"));
    assertThat(v6.error()).isNull();
    assertThat(Kind.SERVICE_ENTRY.cast(v6.config().spec()).addresses())
        .containsExactly("2001:db8::1", "::1", "2001:db8::", "2001:db8::/64");
  }

  private List<Problem> problems(String spec) {
    ParseResult r = only(policy(spec));
    assertThat(r.error()).isNull();
    return Kind.AUTHORIZATION_POLICY.cast(r.config().spec()).problems();
  }

  @Test
  void anEmptyFromToSourceOrOperationMakesItsRuleUnreadable() {
    assertThat(problems("rules: [{from: []}]"))
        .containsExactly(
            new Problem(
                "spec.rules[0].from",
                "unreadable rule: empty list (leave from out to match any source)"));
    assertThat(problems("rules: [{to: []}]"))
        .containsExactly(
            new Problem(
                "spec.rules[0].to",
                "unreadable rule: empty list (leave to out to match any operation)"));
    assertThat(problems("rules: [{from: [{}]}]"))
        .containsExactly(new Problem("spec.rules[0].from[0].source", "unreadable rule: required"));
    assertThat(problems("rules: [{from: [{source: {}}]}]"))
        .containsExactly(
            new Problem(
                "spec.rules[0].from[0].source",
                "unreadable rule: empty source (name at least one principal, request principal, namespace, service"
                    + " account or IP block)"));
    assertThat(problems("rules: [{to: [{operation: {}}]}]"))
        .containsExactly(
            new Problem(
                "spec.rules[0].to[0].operation",
                "unreadable rule: empty operation (name at least one host, port, method or path)"));
  }

  @Test
  void refusesWildcardsInSelectorsAndInvalidSubsetLabels() {
    assertThat(refusal(policy("selector: {matchLabels: {app: '*'}}")))
        .isEqualTo("spec.selector.matchLabels.app: wildcards are not supported in selectors");
    assertThat(refusal(peer("selector: {matchLabels: {'*': web}}")))
        .isEqualTo("spec.selector.matchLabels.*: wildcards are not supported in selectors");
    assertThat(
            refusal(
                object(
                    "networking.istio.io/v1",
                    "Sidecar",
                    "workloadSelector: {labels: {app: 'web-*'}}\noutboundTrafficPolicy: {mode: ALLOW_ANY}")))
        .isEqualTo("spec.workloadSelector.labels.app: wildcards are not supported in selectors");
    assertThat(refusal(rule("subsets: [{name: v1, labels: {version: 'v 1'}}]")))
        .isEqualTo("spec.subsets[0].labels.version: \"v 1\" is not a valid label value");
  }

  @Test
  void refusesWhatEnvoyWouldRefuseInTrafficPolicies() {
    assertThat(refusal(rule("trafficPolicy: {}")))
        .isEqualTo(
            "spec.trafficPolicy: empty: give at least one of loadBalancer, connectionPool, outlierDetection, tls or"
                + " portLevelSettings");
    assertThat(refusal(rule("trafficPolicy: {portLevelSettings: [{port: {number: 80}}]}")))
        .isEqualTo(
            "spec.trafficPolicy.portLevelSettings[0]: empty: give at least one of loadBalancer, connectionPool,"
                + " outlierDetection or tls");
    assertThat(refusal(rule("trafficPolicy: {connectionPool: {}}")))
        .isEqualTo("spec.trafficPolicy.connectionPool: empty: give tcp or http settings");
    assertThat(
            refusal(
                rule(
                    "trafficPolicy: {connectionPool: {http: {h2UpgradePolicy: UPGRADE, useClientProtocol: true}}}")))
        .isEqualTo(
            "spec.trafficPolicy.connectionPool.http.useClientProtocol: must not be true with h2UpgradePolicy UPGRADE");
    assertThat(
            refusal(
                rule(
                    "trafficPolicy: {loadBalancer: {consistentHash: {httpHeaderName: x, maglev: {tableSize: 1000}}}}")))
        .isEqualTo(
            "spec.trafficPolicy.loadBalancer.consistentHash.maglev.tableSize: must be a prime number below 5000011");
    assertThat(
            only(rule(
                    "trafficPolicy: {loadBalancer: {consistentHash: {httpHeaderName: x, maglev: {tableSize: 1009}}}}"))
                .error())
        .isNull();
  }

  @Test
  void refusesEmptyMatchesLargeBodiesAndLongSniAsIstioOrEnvoyWould() {
    String vs =
        "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: x, namespace: shop}\n"
            + "spec:\n  hosts: [a]\n  http:\n";
    String routed = "    route: [{destination: {host: a}}]\n";
    assertThat(refusal(vs + "  - match: [{uri: {prefix: ''}}]\n" + routed))
        .isEqualTo(
            "spec.http[0].match[0].uri.prefix: must not be empty (as in Istio); leave the match out"
                + " to match all");
    assertThat(refusal(vs + "  - match: [{authority: {regex: ''}}]\n" + routed))
        .isEqualTo("spec.http[0].match[0].authority.regex: must not be empty (as in Istio)");
    assertThat(refusal(vs + "  - match: [{headers: {x-a: {regex: ''}}}]\n" + routed))
        .isEqualTo("spec.http[0].match[0].headers.x-a.regex: must not be empty (as in Istio)");
    // An empty exact match is a match of the empty value, which Istio allows.
    assertThat(only(vs + "  - match: [{uri: {exact: ''}}]\n" + routed).isAccepted()).isTrue();
    String dr =
        "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: x, namespace: shop}\n"
            + "spec:\n  host: a\n  trafficPolicy: {tls: {mode: SIMPLE, sni: %s}}\n";
    assertThat(refusal(dr.formatted("s".repeat(256))))
        .isEqualTo("spec.trafficPolicy.tls.sni: at most 255 bytes (a DNS name); this one is 256");
    assertThat(only(dr.formatted("s".repeat(255))).isAccepted()).isTrue();
    String big = "x".repeat(1024 * 1024 + 1);
    assertThat(refusal(vs + "  - directResponse: {status: 200, body: {string: " + big + "}}\n"))
        .isEqualTo(
            "spec.http[0].directResponse.body: the body is 1048577 bytes; at most 1048576 (1 MiB)"
                + " can be served");
    String fits = "x".repeat(1024 * 1024);
    assertThat(
            only(vs + "  - directResponse: {status: 200, body: {string: " + fits + "}}\n")
                .isAccepted())
        .isTrue();
  }

  @Test
  void refusesOverlappingHostsMisplacedExportToAndBadHeaderValues() {
    String route = "http: [{route: [{destination: {host: a}}]}]\n";
    String vs =
        "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: x, namespace: shop}\nspec:\n";
    assertThat(refusal(vs + "  hosts: [a, a]\n" + route.indent(2)))
        .isEqualTo("spec.hosts[1]: \"a\" overlaps \"a\" (spec.hosts[0])");
    assertThat(
            refusal(vs + "  hosts: ['*.foo.com', '*.com']\n  gateways: [gw]\n" + route.indent(2)))
        .isEqualTo("spec.hosts[1]: \"*.com\" overlaps \"*.foo.com\" (spec.hosts[0])");
    assertThat(refusal(vs + "  hosts: [a]\n  exportTo: ['~']\n" + route.indent(2)))
        .isEqualTo("spec.exportTo[0]: \"~\" (no namespace) is only meaningful for a ServiceEntry");
    assertThat(refusal(vs + "  hosts: [a]\n  exportTo: ['.', shop]\n" + route.indent(2)))
        .isEqualTo("spec.exportTo[1]: \".\" already names the namespace \"shop\"");
    String headers = "  hosts: [a]\n  http: [{route: [{destination: {host: a}}], headers: %s}]\n";
    assertThat(refusal(vs + headers.formatted("{request: {set: {x-a: 'abc%123'}}}")))
        .isEqualTo(
            "spec.http[0].headers.request.set.x-a: \"abc%123\": write %% for a percent sign; %NAME% is a value Envoy fills in");
    assertThat(refusal(vs + headers.formatted("{response: {remove: [Host]}}")))
        .isEqualTo(
            "spec.http[0].headers.response.remove[0]: the Host header cannot be changed here");
    assertThat(
            only(vs
                    + headers.formatted(
                        "{request: {set: {x-a: '100%% %START_TIME(%s)% %REQ(x-b)%'}}}"))
                .error())
        .isNull();
    assertThat(
            refusal(
                object(
                    "security.istio.io/v1",
                    "RequestAuthentication",
                    "jwtRules: [{issuer: i, jwksUri: 'https://keys.example/k', audiences: [a, '']}]")))
        .isEqualTo("spec.jwtRules[0].audiences[1]: empty value");
  }
}
