package dev.mizzen.ingest.parse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mizzen.ingest.model.ConfigError;
import dev.mizzen.ingest.model.DestinationRuleSpec;
import dev.mizzen.ingest.model.Kind;
import dev.mizzen.ingest.model.MemberRollSpec;
import dev.mizzen.ingest.model.Protocol;
import dev.mizzen.ingest.model.ServiceSpec;
import dev.mizzen.ingest.model.StringMatch;
import dev.mizzen.ingest.model.VirtualServiceSpec;
import java.time.Duration;
import java.util.List;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

class ManifestParserTest {
  private final ManifestParser parser = new ManifestParser();

  private ParseResult only(String yaml) {
    List<ParseResult> results = parser.parse("mesh.yaml", yaml);
    assertThat(results).hasSize(1);
    return results.get(0);
  }

  private ConfigError error(String yaml) {
    ParseResult r = only(yaml);
    assertThat(r.isAccepted()).as("refused").isFalse();
    return r.error();
  }

  @Test
  void readsVirtualServiceWithMatchesWeightsTimeoutAndRetries() {
    ParseResult r =
        only(
            """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata:
              name: reviews
              namespace: shop
            spec:
              hosts: [reviews]
              http:
              - name: jason
                match:
                - headers:
                    end-user:
                      exact: jason
                  uri:
                    prefix: /api
                - uri:
                    regex: "/v[0-9]+/.*"
                route:
                - destination: {host: reviews, subset: v2}
                timeout: 1.5s
                retries: {attempts: 3, perTryTimeout: 250ms, retryOn: "5xx"}
              - route:
                - destination: {host: reviews, subset: v1, port: {number: 9080}}
                  weight: 80
                - destination: {host: reviews, subset: v2}
                  weight: 20
            """);
    assertThat(r.isAccepted()).as(String.valueOf(r.error())).isTrue();
    VirtualServiceSpec vs = Kind.VIRTUAL_SERVICE.cast(r.config().spec());
    assertThat(r.config().ref().toString()).isEqualTo("VirtualService shop/reviews");
    assertThat(r.config().origin()).isEqualTo("mesh.yaml:1");
    assertThat(vs.hosts()).containsExactly("reviews");
    var first = vs.http().get(0);
    assertThat(first.matches().get(0).uri()).isEqualTo(StringMatch.prefix("/api"));
    assertThat(first.matches().get(0).headers().get(0).match())
        .isEqualTo(StringMatch.exact("jason"));
    assertThat(first.matches().get(1).uri()).isEqualTo(StringMatch.regex("/v[0-9]+/.*", 17));
    assertThat(first.timeout()).isEqualTo(Duration.ofMillis(1500));
    assertThat(first.retries().attempts()).isEqualTo(3);
    assertThat(first.retries().perTryTimeout()).isEqualTo(Duration.ofMillis(250));
    assertThat(first.retries().retryOn()).isEqualTo("5xx");
    var second = vs.http().get(1);
    assertThat(second.route())
        .extracting(
            VirtualServiceSpec.RouteDestination::subset,
            VirtualServiceSpec.RouteDestination::weight)
        .containsExactly(Tuple.tuple("v1", 80), Tuple.tuple("v2", 20));
    assertThat(second.route().get(0).port()).isEqualTo(9080);
  }

  @Test
  void refusesRegexThatRe2Rejects() {
    ConfigError e =
        error(
            """
            apiVersion: networking.istio.io/v1beta1
            kind: VirtualService
            metadata: {name: broken, namespace: shop}
            spec:
              hosts: [reviews]
              http:
              - match:
                - uri: {regex: "/(?=lookahead)"}
                route: [{destination: {host: reviews}}]
            """);
    assertThat(e.object()).isEqualTo("VirtualService shop/broken");
    assertThat(e.field()).isEqualTo("spec.http[0].match[0].uri.regex");
    assertThat(e.reason()).startsWith("invalid RE2 regular expression: ");
    assertThat(e.message())
        .startsWith(
            "mesh.yaml:1: VirtualService shop/broken: spec.http[0].match[0].uri.regex: invalid RE2");
  }

  @Test
  void keepsEachRegexWithItsRe2ProgramSizeWhateverItIs() {
    // The limit is the receiving proxy's (Envoy's 32768, none for proxyless gRPC): a pattern
    // over it is kept, with its size, for the generators to decide.
    ParseResult r =
        only(
            """
            apiVersion: networking.istio.io/v1beta1
            kind: VirtualService
            metadata: {name: huge, namespace: shop}
            spec:
              hosts: [reviews]
              http:
              - match:
                - uri: {regex: "/api/(?:[a-z]+/){0,30}[0-9]+"}
                  headers:
                    x-trace: {regex: "[^a]{1000}[^b]{1000}[^c]{1000}[^d]{1000}[^e]{1000}"}
                route: [{destination: {host: reviews}}]
                rewrite: {uriRegexRewrite: {match: "^/api/(.*)$", rewrite: "/x"}}
            """);
    assertThat(r.isAccepted()).as(String.valueOf(r.error())).isTrue();
    VirtualServiceSpec vs = Kind.VIRTUAL_SERVICE.cast(r.config().spec());
    var match = vs.http().get(0).matches().get(0);
    assertThat(match.uri().re2ProgramSize())
        .isEqualTo(Re2ProgramSize.of("/api/(?:[a-z]+/){0,30}[0-9]+"));
    assertThat(match.uri().re2ProgramSize()).isBetween(101, 32768);
    assertThat(match.headers().get(0).match().re2ProgramSize()).isEqualTo(40004);
    assertThat(vs.http().get(0).rewrite().regexProgramSize())
        .isEqualTo(Re2ProgramSize.of("^/api/(.*)$"));
    assertThat(StringMatches.regexProblem("[^a]{1000}[^b]{1000}[^c]{1000}[^d]{1000}[^e]{1000}"))
        .isEqualTo(
            "RE2 program size 40004 exceeds 32768, the limit of Istio's Envoy proxies"
                + " (re2.max_program_size.error_level); simplify the regular expression");
  }

  @Test
  void refusesUnknownFieldWithItsPath() {
    ConfigError e =
        error(
            """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: typo, namespace: shop}
            spec:
              hosts: [reviews]
              http:
              - rout: [{destination: {host: reviews}}]
            """);
    assertThat(e.field()).isEqualTo("spec.http[0].rout");
    assertThat(e.reason()).isEqualTo("unknown field");
  }

  @Test
  void refusesUnknownFieldInsideStringMatch() {
    ConfigError e =
        error(
            """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: typo, namespace: shop}
            spec:
              hosts: [reviews]
              http:
              - match: [{uri: {prefx: /a}}]
                route: [{destination: {host: reviews}}]
            """);
    assertThat(e.field()).startsWith("spec.http[0].match[0].uri");
  }

  @Test
  void refusesWrongFieldType() {
    ConfigError e =
        error(
            """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: typed, namespace: shop}
            spec:
              hosts: reviews
            """);
    assertThat(e.field()).isEqualTo("spec.hosts");
    assertThat(e.reason()).isEqualTo("wrong type: expected list");

    ConfigError timeout =
        error(
            """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: typed, namespace: shop}
            spec:
              hosts: [reviews]
              http:
              - route: [{destination: {host: reviews}}]
                timeout: 5
            """);
    assertThat(timeout.field()).isEqualTo("spec.http[0].timeout");
    assertThat(timeout.reason()).isEqualTo("wrong type: expected string");
  }

  @Test
  void refusesBadDuration() {
    ConfigError e =
        error(
            """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: slow, namespace: shop}
            spec:
              hosts: [reviews]
              http:
              - route: [{destination: {host: reviews}}]
                timeout: five seconds
            """);
    assertThat(e.field()).isEqualTo("spec.http[0].timeout");
    assertThat(e.reason()).contains("invalid duration \"five seconds\"");
  }

  @Test
  void refusesFieldsTheModelCannotCarryInsteadOfDroppingThem() {
    ConfigError e =
        error(
            """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: local, namespace: shop}
            spec:
              host: ratings
              trafficPolicy:
                loadBalancer:
                  simple: ROUND_ROBIN
                  localityLbSetting: {enabled: true}
            """);
    assertThat(e.field()).isEqualTo("spec.trafficPolicy.loadBalancer.localityLbSetting");
    assertThat(e.reason()).isEqualTo("not supported by this version of Mizzen");
  }

  @Test
  void refusesMissingNameAndUnknownKind() {
    ConfigError noName =
        error(
            """
            apiVersion: v1
            kind: Service
            metadata: {namespace: shop}
            spec: {ports: [{port: 80}]}
            """);
    assertThat(noName.field()).isEqualTo("metadata.name");
    assertThat(noName.reason()).isEqualTo("required");

    ConfigError unknown =
        error(
            """
            apiVersion: example.com/v1
            kind: Frobnicator
            metadata: {name: f, namespace: shop}
            """);
    assertThat(unknown.kind()).isEqualTo("Frobnicator");
    assertThat(unknown.field()).isEqualTo("kind");
    assertThat(unknown.reason()).startsWith("unknown kind \"Frobnicator\" (example.com/v1)");
  }

  @Test
  void syntaxErrorCostsOnlyItsDocument() {
    List<ParseResult> results =
        parser.parse(
            "mixed.yaml",
            """
            apiVersion: v1
            kind: Namespace
            metadata: {name: shop}
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: [unclosed
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: other}
            """);
    assertThat(results).hasSize(3);
    assertThat(results.get(0).isAccepted()).isTrue();
    assertThat(results.get(1).isAccepted()).isFalse();
    assertThat(results.get(1).error().origin()).startsWith("mixed.yaml:");
    assertThat(results.get(1).error().reason()).startsWith("YAML syntax error: ");
    assertThat(results.get(2).isAccepted()).isTrue();
    assertThat(results.get(2).config().origin()).isEqualTo("mixed.yaml:9");
  }

  @Test
  void readsServicePortsAndProtocols() {
    ParseResult r =
        only(
            """
            apiVersion: v1
            kind: Service
            metadata: {name: reviews, namespace: shop, labels: {app: reviews}}
            spec:
              clusterIP: 10.0.0.7
              selector: {app: reviews}
              ports:
              - {name: http, port: 9080, targetPort: 8080}
              - {name: grpc-api, port: 9090, targetPort: grpc}
              - {name: db, port: 5432, appProtocol: tcp}
            """);
    assertThat(r.isAccepted()).as(String.valueOf(r.error())).isTrue();
    ServiceSpec s = Kind.SERVICE.cast(r.config().spec());
    assertThat(s.clusterIp()).isEqualTo("10.0.0.7");
    assertThat(s.ports())
        .extracting(ServiceSpec.ServicePort::protocol)
        .containsExactly(Protocol.HTTP, Protocol.GRPC, Protocol.TCP);
    assertThat(s.ports().get(0).targetPortNumber()).isEqualTo(8080);
    assertThat(s.ports().get(1).targetPortName()).isEqualTo("grpc");
    assertThat(r.config().meta().labels()).containsEntry("app", "reviews");
  }

  @Test
  void readsDestinationRuleAndRefusesDuplicateSubsets() {
    ParseResult r =
        only(
            """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: reviews, namespace: shop}
            spec:
              host: reviews
              subsets:
              - {name: v1, labels: {version: v1}}
              - {name: v2, labels: {version: v2}}
            """);
    DestinationRuleSpec dr = Kind.DESTINATION_RULE.cast(r.config().spec());
    assertThat(dr.subset("v2").orElseThrow().labels()).containsEntry("version", "v2");

    ConfigError e =
        error(
            """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: reviews, namespace: shop}
            spec:
              host: reviews
              subsets:
              - {name: v1, labels: {version: v1}}
              - {name: v1, labels: {version: v2}}
            """);
    assertThat(e.field()).isEqualTo("spec.subsets[1].name");
    assertThat(e.reason()).isEqualTo("duplicate subset \"v1\"");
  }

  @Test
  void readsMemberRollAndRefusesBadMembers() {
    ParseResult r =
        only(
            """
            apiVersion: maistra.io/v1
            kind: ServiceMeshMemberRoll
            metadata: {name: default, namespace: istio-system}
            spec:
              members: [shop, bookinfo]
            status:
              configuredMembers: [shop]
              meshVersion: 2.4.0
            """);
    assertThat(r.isAccepted()).as(String.valueOf(r.error())).isTrue();
    MemberRollSpec roll = Kind.SERVICE_MESH_MEMBER_ROLL.cast(r.config().spec());
    assertThat(roll.members()).containsExactly("shop", "bookinfo");
    assertThat(roll.configuredMembers()).containsExactly("shop");

    ConfigError e =
        error(
            """
            apiVersion: maistra.io/v1
            kind: ServiceMeshMemberRoll
            metadata: {name: default, namespace: istio-system}
            spec:
              members: [shop, Shop_2]
            """);
    assertThat(e.field()).isEqualTo("spec.members[1]");

    ConfigError unknown =
        error(
            """
            apiVersion: maistra.io/v1
            kind: ServiceMeshMemberRoll
            metadata: {name: default, namespace: istio-system}
            spec:
              memebers: [shop]
            """);
    assertThat(unknown.field()).isEqualTo("spec.memebers");
    assertThat(unknown.reason()).isEqualTo("unknown field");
  }

  @Test
  void defaultsNamespaceAndExpandsLists() {
    List<ParseResult> results =
        parser.parse(
            "list.yaml",
            """
            apiVersion: v1
            kind: List
            items:
            - apiVersion: v1
              kind: Pod
              metadata: {name: a, labels: {app: x}}
              status: {podIP: 10.1.0.1}
            - apiVersion: v1
              kind: Pod
              metadata: {name: b, namespace: shop}
            """);
    assertThat(results).hasSize(2);
    assertThat(results.get(0).config().namespace()).isEqualTo("default");
    assertThat(results.get(1).config().namespace()).isEqualTo("shop");
  }
}
