package dev.mizzen.authz;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.mizzen.ingest.model.AuthorizationPolicySpec;
import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.Kind;
import dev.mizzen.ingest.parse.ManifestParser;
import dev.mizzen.ingest.parse.ParseResult;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.path.match.uri_template.v3.UriTemplateMatchConfig;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Mizzen's RBAC against what Istio and Maistra generate for the same AuthorizationPolicies (see
 * {@code src/test/resources/conformance/README.md}), compared as protobuf messages. Mizzen follows
 * the current Istio generation ({@code istio-master}), which those cases match exactly; each
 * Maistra case says beside it how and why Mizzen differs, and the difference is applied to the
 * expected filters before they are compared, so that everything else still has to be equal.
 */
class ConformanceTest {
  private static final Path ROOT = Path.of("src/test/resources/conformance");
  private static final Map<String, String> LABELS = Map.of("app", "httpbin", "version", "v1");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonFormat.TypeRegistry TYPES =
      JsonFormat.TypeRegistry.newBuilder()
          .add(RBAC.getDescriptor())
          .add(io.envoyproxy.envoy.extensions.filters.network.rbac.v3.RBAC.getDescriptor())
          .add(UriTemplateMatchConfig.getDescriptor())
          .build();

  /** Maistra 2.x does not write the dry-run statistics prefix Istio now always writes. */
  private static final UnaryOperator<RBAC> ISTIO_SHADOW_PREFIX =
      r -> r.toBuilder().setShadowRulesStatPrefix("istio_dry_run_allow_").build();

  /**
   * Maistra 2.1 matched peer identities on the metadata its own istio_authn filter left ({@code
   * source.principal} without scheme); Mizzen, as Istio since, matches the certificate's URI SAN
   * ({@code authenticated}, with "spiffe://"), which works on any Envoy.
   */
  private static final UnaryOperator<RBAC> PEER_IDENTITY_AS_AUTHENTICATED =
      r -> {
        RBAC.Builder b = r.toBuilder();
        b.getRulesBuilder()
            .getPoliciesMap()
            .forEach(
                (name, policy) -> {
                  var p = policy.toBuilder();
                  for (int i = 0; i < p.getPrincipalsCount(); i++) {
                    p.setPrincipals(i, authenticated(p.getPrincipals(i)));
                  }
                  b.getRulesBuilder().putPolicies(name, p.build());
                });
        return b.build();
      };

  static Stream<Arguments> cases() {
    return Stream.of(
        same("istio-master/http/allow-empty-rule", "allow-empty-rule-out.yaml"),
        same("istio-master/http/allow-full-rule", "allow-full-rule-out.yaml"),
        same("istio-master/http/allow-nil-rule", "allow-nil-rule-out.yaml"),
        same("istio-master/http/audit-full-rule", "audit-full-rule-out.yaml"),
        same(
            "istio-master/http/deny-and-allow",
            "deny-and-allow-out1.yaml",
            "deny-and-allow-out2.yaml"),
        same("istio-master/http/deny-empty-rule", "deny-empty-rule-out.yaml"),
        same("istio-master/http/single-policy", "single-policy-out.yaml"),
        same("istio-master/tcp/allow-both-http-tcp", "allow-both-http-tcp-out.yaml"),
        same("istio-master/tcp/allow-only-http", "allow-only-http-out.yaml"),
        same("istio-master/tcp/deny-both-http-tcp", "deny-both-http-tcp-out.yaml"),
        differing("maistra-2.1/allow-none", ISTIO_SHADOW_PREFIX, "allow-none-out.yaml"),
        differing("maistra-2.1/audit-all", ISTIO_SHADOW_PREFIX, "audit-all-out.yaml"),
        differing("maistra-2.1/deny-all", ISTIO_SHADOW_PREFIX, "deny-all-out.yaml"),
        differing(
            "maistra-2.1/action-both",
            r -> ISTIO_SHADOW_PREFIX.apply(PEER_IDENTITY_AS_AUTHENTICATED.apply(r)),
            "action-both-deny-out.yaml",
            "action-both-allow-out.yaml"));
  }

  private static Arguments same(String inputCase, String... outputs) {
    return Arguments.of(inputCase, UnaryOperator.<RBAC>identity(), List.of(outputs));
  }

  private static Arguments differing(
      String inputCase, UnaryOperator<RBAC> difference, String... outputs) {
    return Arguments.of(inputCase, difference, List.of(outputs));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void generatesWhatTheReferenceGenerates(
      String inputCase, UnaryOperator<RBAC> difference, List<String> outputs) throws Exception {
    Path dir = ROOT.resolve(inputCase).getParent();
    String name = ROOT.resolve(inputCase).getFileName().toString();
    WorkloadAuthz authz = workload(dir.resolve(name + "-in.yaml"));
    boolean tcp = inputCase.contains("/tcp/");
    List<Message> expected = new ArrayList<>();
    for (String out : outputs) {
      if (tcp) {
        expected.add(networkFilter(dir.resolve(out)));
      } else {
        HttpFilter f = httpFilter(dir.resolve(out));
        expected.add(
            f.toBuilder()
                .setTypedConfig(Any.pack(difference.apply(f.getTypedConfig().unpack(RBAC.class))))
                .build());
      }
    }
    List<Message> actual =
        new ArrayList<>(tcp ? authz.networkFilters() : authz.httpFilters(DataPlane.ENVOY));
    assertThat(unpacked(actual)).isEqualTo(unpacked(expected));
  }

  /**
   * Maistra's request.regex.headers in the two cases that carry it. Everything else in those cases
   * is of Maistra's older generation (istio_authn and filter-state identities, deprecated header
   * fields); the regex header itself must come out as Maistra writes it, except that Mizzen leaves
   * out the {@code google_re2} engine field, which Envoy has deprecated (RE2 is its only engine).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("regexCases")
  void writesTheRegexHeaderAsMaistraDoes(String inputCase) throws Exception {
    Path in = ROOT.resolve(inputCase + "-in.yaml");
    Path out = ROOT.resolve(inputCase + "-out.yaml");
    RBAC expected = httpFilter(out).getTypedConfig().unpack(RBAC.class);
    HeaderMatcher maistra =
        regexHeader(
            expected.getRules().getPoliciesMap().values().iterator().next().getPrincipals(0));
    assertThat(maistra).as("the reference has the regex header").isNotNull();
    HeaderMatcher withoutEngine =
        maistra.toBuilder()
            .setSafeRegexMatch(maistra.getSafeRegexMatch().toBuilder().clearGoogleRe2())
            .build();

    RBAC actual =
        workload(in).httpFilters(DataPlane.ENVOY).get(0).getTypedConfig().unpack(RBAC.class);
    HeaderMatcher mizzen =
        regexHeader(actual.getRules().getPoliciesMap().values().iterator().next().getPrincipals(0));
    assertThat(mizzen).isEqualTo(withoutEngine);
  }

  static Stream<String> regexCases() {
    return Stream.of("maistra-2.1/all-fields", "maistra-2.5/allow-full-rule");
  }

  private static HeaderMatcher regexHeader(Principal p) {
    if (p.hasHeader() && p.getHeader().hasSafeRegexMatch()) {
      return p.getHeader();
    }
    List<Principal> children = new ArrayList<>();
    children.addAll(p.getAndIds().getIdsList());
    children.addAll(p.getOrIds().getIdsList());
    for (Principal c : children) {
      HeaderMatcher found = regexHeader(c);
      if (found != null) {
        return found;
      }
    }
    return null;
  }

  private static WorkloadAuthz workload(Path input) throws IOException {
    List<Config<AuthorizationPolicySpec>> policies = new ArrayList<>();
    for (ParseResult r : new ManifestParser().parse(input.toString(), Files.readString(input))) {
      assertThat(r.isAccepted()).as(String.valueOf(r.error())).isTrue();
      policies.add(cast(r.config()));
    }
    Authorization authorization = Authorization.build(AuthzInputs.of("istio-system", policies));
    return authorization.workload(new Workload("foo", LABELS, Set.of()));
  }

  @SuppressWarnings("unchecked")
  private static Config<AuthorizationPolicySpec> cast(Config<?> c) {
    assertThat(c.kind()).isEqualTo(Kind.AUTHORIZATION_POLICY);
    return (Config<AuthorizationPolicySpec>) c;
  }

  private static HttpFilter httpFilter(Path yaml) throws IOException {
    HttpFilter.Builder b = HttpFilter.newBuilder();
    JsonFormat.parser().usingTypeRegistry(TYPES).merge(json(yaml), b);
    return b.build();
  }

  private static Filter networkFilter(Path yaml) throws IOException {
    Filter.Builder b = Filter.newBuilder();
    JsonFormat.parser().usingTypeRegistry(TYPES).merge(json(yaml), b);
    return b.build();
  }

  private static String json(Path yaml) throws IOException {
    return JSON.writeValueAsString(YAML.readTree(Files.readString(yaml)));
  }

  /** Filters with their typed config unpacked, so that maps compare as maps, not as bytes. */
  private static List<List<Object>> unpacked(List<Message> filters)
      throws InvalidProtocolBufferException {
    List<List<Object>> out = new ArrayList<>();
    for (Message m : filters) {
      if (m instanceof HttpFilter h) {
        out.add(List.of(h.getName(), h.getTypedConfig().unpack(RBAC.class)));
      } else {
        Filter f = (Filter) m;
        out.add(
            List.of(
                f.getName(),
                f.getTypedConfig()
                    .unpack(io.envoyproxy.envoy.extensions.filters.network.rbac.v3.RBAC.class)));
      }
    }
    return out;
  }

  private static Principal authenticated(Principal p) {
    if (p.hasMetadata() && p.getMetadata().getFilter().equals("istio_authn")) {
      StringMatcher m = p.getMetadata().getValue().getStringMatch();
      StringMatcher.Builder withScheme = m.toBuilder();
      if (m.hasExact()) {
        withScheme.setExact("spiffe://" + m.getExact());
      } else if (m.hasPrefix()) {
        withScheme.setPrefix("spiffe://" + m.getPrefix());
      }
      return Principal.newBuilder()
          .setAuthenticated(Principal.Authenticated.newBuilder().setPrincipalName(withScheme))
          .build();
    }
    Principal.Builder b = p.toBuilder();
    if (p.hasAndIds()) {
      var set = p.getAndIds().toBuilder().clearIds();
      p.getAndIds().getIdsList().forEach(x -> set.addIds(authenticated(x)));
      b.setAndIds(set);
    } else if (p.hasOrIds()) {
      var set = p.getOrIds().toBuilder().clearIds();
      p.getOrIds().getIdsList().forEach(x -> set.addIds(authenticated(x)));
      b.setOrIds(set);
    } else if (p.hasNotId()) {
      b.setNotId(authenticated(p.getNotId()));
    }
    return b.build();
  }
}
