package dev.mizzen.ingest.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.mizzen.ingest.model.AuthorizationPolicySpec;
import dev.mizzen.ingest.model.AuthorizationPolicySpec.Action;
import dev.mizzen.ingest.model.AuthorizationPolicySpec.Attribute;
import dev.mizzen.ingest.model.AuthorizationPolicySpec.Problem;
import dev.mizzen.ingest.model.ConfigError;
import dev.mizzen.ingest.model.Kind;
import dev.mizzen.ingest.model.MeshPolicySpec;
import dev.mizzen.ingest.model.MtlsMode;
import dev.mizzen.ingest.model.PeerAuthenticationSpec;
import dev.mizzen.ingest.model.RbacConfigSpec;
import dev.mizzen.ingest.model.RequestAuthenticationSpec;
import java.util.List;
import java.util.Map;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

/** AuthorizationPolicy, PeerAuthentication, RequestAuthentication and Maistra's two kinds. */
class SecurityKindsTest {
  private final ManifestParser parser = new ManifestParser();

  private ParseResult only(String yaml) {
    List<ParseResult> results = parser.parse("authz.yaml", yaml);
    assertThat(results).hasSize(1);
    return results.get(0);
  }

  private AuthorizationPolicySpec policy(String spec) {
    ParseResult r =
        only(
            "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: p, namespace: shop}\n"
                + spec);
    assertThat(r.isAccepted()).as(String.valueOf(r.error())).isTrue();
    return Kind.AUTHORIZATION_POLICY.cast(r.config().spec());
  }

  private ConfigError refusedPolicy(String spec) {
    ParseResult r =
        only(
            "apiVersion: security.istio.io/v1beta1\nkind: AuthorizationPolicy\nmetadata: {name: p, namespace: shop}\n"
                + spec);
    assertThat(r.isAccepted()).as("refused").isFalse();
    return r.error();
  }

  @Test
  void readsEveryFieldOfAPolicy() {
    AuthorizationPolicySpec p =
        policy(
            """
            spec:
              action: DENY
              selector: {matchLabels: {app: web}}
              rules:
              - from:
                - source:
                    principals: ["cluster.local/ns/a/sa/b"]
                    notNamespaces: [kube-*]
                    ipBlocks: [10.0.0.0/8]
                - source:
                    serviceAccounts: [a/b, c]
                to:
                - operation: {methods: [GET], paths: ["/api/{*}/items"], ports: ["8080"]}
                when:
                - key: request.regex.headers[x-user]
                  values: ["alice-[0-9]+"]
                - key: request.auth.claims[groups][admin]
                  notValues: [nobody]
            """);
    assertThat(p.action()).isEqualTo(Action.DENY);
    assertThat(p.selector()).isEqualTo(Map.of("app", "web"));
    assertThat(p.problems()).isEmpty();
    var rule = p.rules().get(0);
    assertThat(rule.from().get(0).principals().in().get(0).text())
        .isEqualTo("cluster.local/ns/a/sa/b");
    assertThat(rule.from().get(0).namespaces().notIn().get(0).text()).isEqualTo("kube-*");
    assertThat(rule.to().get(0).paths().in().get(0).text()).isEqualTo("/api/{*}/items");
    var regex = rule.when().get(0);
    assertThat(regex.attribute()).isEqualTo(Attribute.REQUEST_REGEX_HEADER);
    assertThat(regex.arguments()).containsExactly("x-user");
    assertThat(rule.when().get(1).arguments()).containsExactly("groups", "admin");
  }

  @Test
  void anEmptySpecAllowsNothing() {
    ParseResult r =
        only(
            "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: p, namespace: shop}\nspec: {}\n");
    AuthorizationPolicySpec p = Kind.AUTHORIZATION_POLICY.cast(r.config().spec());
    assertThat(p.action()).isEqualTo(Action.ALLOW);
    assertThat(p.rules()).isEmpty();
  }

  @Test
  void anInvalidRegularExpressionIsKeptWithItsProblemNamingTheKeyAndRe2sComplaint() {
    AuthorizationPolicySpec p =
        policy(
            """
            spec:
              rules:
              - when:
                - key: request.regex.headers[x-user]
                  values: ["(alice"]
              - to: [{operation: {methods: [GET]}}]
            """);
    assertThat(p.problems())
        .containsExactly(
            new Problem(
                "spec.rules[0].when[0].values[0]",
                "request.regex.headers[x-user]: invalid RE2 regular expression: error parsing regexp:"
                    + " missing closing ): `(alice`"));
    assertThat(p.rules().get(0).hasProblems()).isTrue();
    assertThat(p.rules().get(1).hasProblems()).isFalse();
  }

  @Test
  void aRegularExpressionOverTheProxiesProgramSizeIsKeptWithItsProblem() {
    AuthorizationPolicySpec p =
        policy(
            """
            spec:
              rules:
              - when:
                - key: request.regex.headers[x-user]
                  values: ["alice-[0-9]+", "(user-[a-z]+-[0-9]+){10}",
                    "[^a]{1000}[^b]{1000}[^c]{1000}[^d]{1000}[^e]{1000}"]
            """);
    assertThat(p.problems())
        .containsExactly(
            new Problem(
                "spec.rules[0].when[0].values[2]",
                "request.regex.headers[x-user]: RE2 program size 40004 exceeds 32768, the limit of"
                    + " Istio's Envoy proxies (re2.max_program_size.error_level); simplify the"
                    + " regular expression"));
  }

  @Test
  void anOrdinaryPatternOverEnvoysDefaultLimitIsServed() {
    // 124 instructions: over Envoy's built-in default of 100, far under Istio's 32768.
    AuthorizationPolicySpec p =
        policy(
            """
            spec:
              rules:
              - when:
                - key: request.regex.headers[x-user]
                  values: ["(user-[a-z]+-[0-9]+){10}"]
            """);
    assertThat(Re2ProgramSize.of("(user-[a-z]+-[0-9]+){10}")).isEqualTo(124);
    assertThat(p.problems()).isEmpty();
    assertThat(p.rules().get(0).hasProblems()).isFalse();
  }

  @Test
  void valuesThatBecomeRegularExpressionsAreCheckedAgainstTheProxiesProgramSize() {
    String huge = "n".repeat(40_000);
    AuthorizationPolicySpec p =
        policy(
            """
            spec:
              rules:
              - from:
                - source:
                    namespaces: [shop, "*-team", %s]
                    principals: ["*/sa/%s", "*/sa/ok"]
            """
                .formatted(huge, huge));
    assertThat(p.problems())
        .extracting(Problem::field, Problem::reason)
        .containsExactly(
            tuple(
                "spec.rules[0].from[0].source.principals[0]",
                "the value becomes the regular expression "
                    + ("spiffe://.*/sa/" + huge).substring(0, 57)
                    + "...:"
                    + " RE2 program size 40025 exceeds 32768, the limit of Istio's Envoy proxies"
                    + " (re2.max_program_size.error_level); simplify the regular expression"),
            tuple(
                "spec.rules[0].from[0].source.namespaces[2]",
                "the value becomes the regular expression "
                    + (".*/ns/" + huge).substring(0, 57)
                    + "...:"
                    + " RE2 program size 40025 exceeds 32768, the limit of Istio's Envoy proxies"
                    + " (re2.max_program_size.error_level); simplify the regular expression"));
  }

  @Test
  void programSizeCountsInstructionsAsRe2Does() {
    // RE2's own figures (src/test/re2): the unanchored .*? loop, fail and match are counted.
    assertThat(Re2ProgramSize.of("a")).isEqualTo(5);
    assertThat(Re2ProgramSize.of("alice-[0-9]+")).isEqualTo(12);
    assertThat(Re2ProgramSize.of("x{98}")).isEqualTo(102);
    assertThat(Re2ProgramSize.of(".")).isEqualTo(12);
  }

  @Test
  void regexKeysMustNameOneHeaderAndHaveValues() {
    AuthorizationPolicySpec p =
        policy(
            """
            spec:
              rules:
              - when:
                - key: request.regex.headers
                  values: [a]
                - key: request.regex.headers[x]
                  values: [""]
                - key: request.regex.headers[y]
                  values: []
                - key: request.host
                  values: [a]
            """);
    assertThat(p.problems())
        .containsExactly(
            new Problem(
                "spec.rules[0].when[0].key",
                "the key must have the form request.regex.headers[NAME], not \"request.regex.headers\""),
            new Problem("spec.rules[0].when[1].values[0]", "empty value"),
            new Problem(
                "spec.rules[0].when[2]",
                "request.regex.headers[y]: at least one of values or notValues is required"),
            new Problem(
                "spec.rules[0].when[3].key",
                "unknown key \"request.host\"; known keys: request.headers[NAME], request.regex.headers[NAME],"
                    + " source.ip, remote.ip, source.namespace, source.principal, request.auth.principal,"
                    + " request.auth.audiences, request.auth.presenter, request.auth.claims[NAME],"
                    + " destination.ip, destination.port, connection.sni,"
                    + " experimental.envoy.filters.FILTER[KEY]"));
  }

  @Test
  void badValuesAreKeptWithTheirProblems() {
    AuthorizationPolicySpec p =
        policy(
            """
            spec:
              rules:
              - from: [{source: {ipBlocks: ["10.0.0.0/33", "10.1.2"], principals: ["a*b"]}}, {source: {serviceAccounts: ["a/b/c"]}}]
                to: [{operation: {ports: ["http"], paths: ["/a/{x}"]}}]
                when: [{key: destination.port, values: ["70000"]}]
            """);
    assertThat(p.problems())
        .extracting(Problem::field, Problem::reason)
        .containsExactly(
            Tuple.tuple(
                "spec.rules[0].from[0].source.principals[0]",
                "\"a*b\": the wildcard * may only stand alone, or at the start or the end of a value"),
            Tuple.tuple(
                "spec.rules[0].from[0].source.ipBlocks[0]",
                "\"10.0.0.0/33\" has an invalid prefix length; it must be between 0 and 32"),
            Tuple.tuple(
                "spec.rules[0].from[0].source.ipBlocks[1]",
                "\"10.1.2\" is not an IP address or CIDR range"),
            Tuple.tuple(
                "spec.rules[0].from[1].source.serviceAccounts[0]",
                "\"a/b/c\" is not a service account: use NAMESPACE/NAME or NAME"),
            Tuple.tuple(
                "spec.rules[0].to[0].operation.ports[0]",
                "\"http\" is not a port number (0 to 65535)"),
            Tuple.tuple(
                "spec.rules[0].to[0].operation.paths[0]",
                "\"/a/{x}\": a path template may only hold {*} or {**} as whole segments, and no other wildcard"),
            Tuple.tuple(
                "spec.rules[0].when[0].values[0]", "\"70000\" is not a port number (0 to 65535)"));
  }

  @Test
  void anUnreadableRuleIsKeptAsSuchAndTheOthersAreRead() {
    AuthorizationPolicySpec p =
        policy(
            """
            spec:
              rules:
              - from: [{source: {ipBlocks: "10.0.0.1"}}]
              - from: [{source: {namespace: [a]}}]
              - to: [{operation: {methods: [GET]}}]
            """);
    assertThat(p.rules()).hasSize(3);
    assertThat(p.problems())
        .containsExactly(
            new Problem(
                "spec.rules[0].from[0].source.ipBlocks",
                "unreadable rule: wrong type: expected list"),
            new Problem(
                "spec.rules[1].from[0].source.namespace", "unreadable rule: unknown field"));
    assertThat(p.rules().get(2).hasProblems()).isFalse();
  }

  @Test
  void refusesCustomActionsDenyWithoutRulesAndTargetRefs() {
    ConfigError custom =
        refusedPolicy("spec:\n  action: CUSTOM\n  provider: {name: opa}\n  rules: [{}]\n");
    assertThat(custom.message())
        .isEqualTo(
            "authz.yaml:1: AuthorizationPolicy shop/p: spec.action: CUSTOM is not supported: it delegates"
                + " to an extension provider, and this version of Mizzen has none");
    ConfigError deny = refusedPolicy("spec:\n  action: DENY\n");
    assertThat(deny.message())
        .isEqualTo(
            "authz.yaml:1: AuthorizationPolicy shop/p: spec.rules: a DENY policy needs at least one rule"
                + " (without rules it would never match); to deny everything, write rules: [{}]");
    ConfigError target = refusedPolicy("spec:\n  targetRef: {kind: Gateway, name: gw}\n");
    assertThat(target.field()).isEqualTo("spec.targetRef");
    assertThat(target.reason()).isEqualTo("not supported by this version of Mizzen");
    ConfigError unknown = refusedPolicy("spec:\n  actions: DENY\n");
    assertThat(unknown.field()).isEqualTo("spec.actions");
    assertThat(unknown.reason()).isEqualTo("unknown field");
  }

  @Test
  void readsPeerAuthenticationWithPortLevelModes() {
    ParseResult r =
        only(
            """
            apiVersion: security.istio.io/v1
            kind: PeerAuthentication
            metadata: {name: web, namespace: shop}
            spec:
              selector: {matchLabels: {app: web}}
              mtls: {mode: STRICT}
              portLevelMtls:
                "8080": {mode: PERMISSIVE}
            """);
    PeerAuthenticationSpec pa = Kind.PEER_AUTHENTICATION.cast(r.config().spec());
    assertThat(pa.mode()).isEqualTo(MtlsMode.STRICT);
    assertThat(pa.portLevel()).isEqualTo(Map.of(8080, MtlsMode.PERMISSIVE));

    ParseResult noSelector =
        only(
            """
            apiVersion: security.istio.io/v1beta1
            kind: PeerAuthentication
            metadata: {name: ns, namespace: shop}
            spec:
              portLevelMtls:
                "8080": {mode: DISABLE}
            """);
    assertThat(noSelector.error().message())
        .isEqualTo(
            "authz.yaml:1: PeerAuthentication shop/ns: spec.portLevelMtls: needs a selector: port numbers"
                + " only mean something for chosen workloads");
  }

  @Test
  void readsRequestAuthenticationAndChecksItsKeys() {
    ParseResult r =
        only(
            """
            apiVersion: security.istio.io/v1
            kind: RequestAuthentication
            metadata: {name: jwt, namespace: shop}
            spec:
              jwtRules:
              - issuer: https://issuer.example
                audiences: [shop]
                jwks: '{"keys": []}'
                fromHeaders: [{name: x-token, prefix: "Bearer "}]
            """);
    RequestAuthenticationSpec ra = Kind.REQUEST_AUTHENTICATION.cast(r.config().spec());
    assertThat(ra.jwtRules().get(0).issuer()).isEqualTo("https://issuer.example");
    assertThat(ra.jwtRules().get(0).fromHeaders().get(0).prefix()).isEqualTo("Bearer ");

    ParseResult bad =
        only(
            """
            apiVersion: security.istio.io/v1
            kind: RequestAuthentication
            metadata: {name: jwt, namespace: shop}
            spec:
              jwtRules:
              - issuer: https://issuer.example
                jwks: 'keys'
            """);
    assertThat(bad.error().field()).isEqualTo("spec.jwtRules[0].jwks");
    assertThat(bad.error().reason()).startsWith("not JSON: ");
  }

  @Test
  void readsServiceMeshPolicyAsMaistraWritesIt() {
    ParseResult r =
        only(
            """
            apiVersion: authentication.maistra.io/v1
            kind: ServiceMeshPolicy
            metadata: {name: default, namespace: istio-system}
            spec:
              peers:
              - mtls:
              origins:
              - jwt:
                  issuer: https://issuer.example
                  jwks_uri: https://issuer.example/keys
                  jwtHeaders: [x-jwt]
              originIsOptional: true
            """);
    assertThat(r.isAccepted()).as(String.valueOf(r.error())).isTrue();
    MeshPolicySpec smp = Kind.SERVICE_MESH_POLICY.cast(r.config().spec());
    assertThat(smp.peerMode()).isEqualTo(MtlsMode.STRICT);
    assertThat(smp.origins().get(0).jwksUri()).isEqualTo("https://issuer.example/keys");
    assertThat(smp.origins().get(0).fromHeaders().get(0).name()).isEqualTo("x-jwt");
    assertThat(smp.originIsOptional()).isTrue();

    ParseResult permissive =
        only(
            """
            apiVersion: authentication.maistra.io/v1
            kind: ServiceMeshPolicy
            metadata: {name: default, namespace: istio-system}
            spec:
              peers: [{mtls: {mode: PERMISSIVE}}]
            """);
    assertThat(Kind.SERVICE_MESH_POLICY.cast(permissive.config().spec()).peerMode())
        .isEqualTo(MtlsMode.PERMISSIVE);

    ParseResult targets =
        only(
            """
            apiVersion: authentication.maistra.io/v1
            kind: ServiceMeshPolicy
            metadata: {name: default, namespace: istio-system}
            spec:
              targets: [{name: web}]
            """);
    assertThat(targets.error().field()).isEqualTo("spec.targets");
  }

  @Test
  void readsServiceMeshRbacConfigEvenWithAnUnquotedMode() {
    ParseResult r =
        only(
            """
            apiVersion: rbac.maistra.io/v1
            kind: ServiceMeshRbacConfig
            metadata: {name: default, namespace: istio-system}
            spec:
              mode: ON_WITH_INCLUSION
              inclusion:
                namespaces: [shop]
                services: [web.pay.svc.cluster.local]
              enforcementMode: PERMISSIVE
            """);
    RbacConfigSpec c = Kind.SERVICE_MESH_RBAC_CONFIG.cast(r.config().spec());
    assertThat(c.mode()).isEqualTo(RbacConfigSpec.Mode.ON_WITH_INCLUSION);
    assertThat(c.inclusion().namespaces()).containsExactly("shop");
    assertThat(c.permissive()).isTrue();

    ParseResult on =
        only(
            """
            apiVersion: rbac.maistra.io/v1
            kind: ServiceMeshRbacConfig
            metadata: {name: default, namespace: istio-system}
            spec:
              mode: ON
            """);
    assertThat(Kind.SERVICE_MESH_RBAC_CONFIG.cast(on.config().spec()).mode())
        .isEqualTo(RbacConfigSpec.Mode.ON);
  }
}
