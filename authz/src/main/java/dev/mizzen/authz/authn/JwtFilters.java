package dev.mizzen.authz.authn;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.protobuf.Empty;
import dev.mizzen.ingest.model.JwtRule;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.HttpUri;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtHeader;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtProvider;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtRequirement;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtRequirementOrList;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.RemoteJwks;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.RequirementRule;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Envoy's {@code jwt_authn} filter for the JWT rules that apply to a workload. It verifies tokens
 * and leaves the verified payload in dynamic metadata under {@code payload}, where the RBAC
 * filters' request principal, audience and claim matchers look for it.
 */
public final class JwtFilters {
  public static final String NAME = "envoy.filters.http.jwt_authn";
  static final String PAYLOAD = "payload";

  private JwtFilters() {}

  /**
   * @param rules the JWT rules, one per issuer
   * @param tokenRequired whether a request without a token is refused (a ServiceMeshPolicy origin
   *     that is not optional); otherwise only invalid tokens are refused, as for
   *     RequestAuthentication
   * @return the filter, or empty when there are no rules
   */
  public static Optional<HttpFilter> filter(List<JwtRule> rules, boolean tokenRequired) {
    if (rules.isEmpty()) {
      return Optional.empty();
    }
    JwtAuthentication.Builder jwt = JwtAuthentication.newBuilder();
    List<JwtRequirement> any = new ArrayList<>();
    for (int i = 0; i < rules.size(); i++) {
      String name = "origins-" + i;
      jwt.putProviders(name, provider(rules.get(i)));
      any.add(JwtRequirement.newBuilder().setProviderName(name).build());
    }
    if (!tokenRequired) {
      any.add(JwtRequirement.newBuilder().setAllowMissing(Empty.getDefaultInstance()).build());
    }
    JwtRequirement requires =
        any.size() == 1
            ? any.get(0)
            : JwtRequirement.newBuilder()
                .setRequiresAny(JwtRequirementOrList.newBuilder().addAllRequirements(any))
                .build();
    jwt.addRules(
        RequirementRule.newBuilder()
            .setMatch(RouteMatch.newBuilder().setPrefix("/"))
            .setRequires(requires));
    return Optional.of(
        HttpFilter.newBuilder().setName(NAME).setTypedConfig(Any.pack(jwt.build())).build());
  }

  /** Istio's cluster for a key set URL: {@code outbound|PORT||HOST}. */
  public static String jwksCluster(String jwksUri) {
    URI uri = URI.create(jwksUri);
    int port = uri.getPort() > 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
    return "outbound|" + port + "||" + uri.getHost();
  }

  private static JwtProvider provider(JwtRule rule) {
    JwtProvider.Builder p =
        JwtProvider.newBuilder()
            .setIssuer(rule.issuer())
            .addAllAudiences(rule.audiences())
            .setForward(rule.forwardOriginalToken())
            .setPayloadInMetadata(PAYLOAD);
    if (!rule.jwks().isEmpty()) {
      p.setLocalJwks(DataSource.newBuilder().setInlineString(rule.jwks()));
    } else {
      p.setRemoteJwks(
          RemoteJwks.newBuilder()
              .setHttpUri(
                  HttpUri.newBuilder()
                      .setUri(rule.jwksUri())
                      .setCluster(jwksCluster(rule.jwksUri()))
                      .setTimeout(Duration.newBuilder().setSeconds(5)))
              .setCacheDuration(Duration.newBuilder().setSeconds(300)));
    }
    for (JwtRule.Header h : rule.fromHeaders()) {
      p.addFromHeaders(JwtHeader.newBuilder().setName(h.name()).setValuePrefix(h.prefix()));
    }
    p.addAllFromParams(rule.fromParams());
    return p.build();
  }
}
