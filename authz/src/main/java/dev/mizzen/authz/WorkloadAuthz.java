package dev.mizzen.authz;

import dev.mizzen.authz.authn.JwtFilters;
import dev.mizzen.authz.authn.Mtls;
import dev.mizzen.authz.authn.PeerModes;
import dev.mizzen.authz.explain.RequestDescription;
import dev.mizzen.authz.rbac.GeneratedRule;
import dev.mizzen.authz.rbac.RbacBuilder;
import dev.mizzen.authz.rbac.RbacFilter;
import dev.mizzen.ingest.model.AuthorizationPolicySpec;
import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.JwtRule;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.util.ArrayList;
import java.util.List;

/**
 * The authorization and authentication of one workload: the policies that apply, the filters they
 * become on its HTTP and TCP chains, the mutual TLS mode of each port, and the explanation of a
 * described request against what was generated.
 */
public final class WorkloadAuthz {
  private final Workload workload;
  private final List<Config<AuthorizationPolicySpec>> policies;
  private final String enforcedBy;
  private final boolean defaultDeny;
  private final boolean shadow;
  private final List<JwtRule> jwtRules;
  private final boolean tokenRequired;
  private final PeerModes peerModes;
  private final List<RbacFilter> http;
  private final List<RbacFilter> tcp;

  WorkloadAuthz(
      Workload workload,
      List<Config<AuthorizationPolicySpec>> policies,
      String enforcedBy,
      boolean defaultDeny,
      boolean shadow,
      List<JwtRule> jwtRules,
      boolean tokenRequired,
      PeerModes peerModes) {
    this.workload = workload;
    this.policies = List.copyOf(policies);
    this.enforcedBy = enforcedBy;
    this.defaultDeny = defaultDeny;
    this.shadow = shadow;
    this.jwtRules = List.copyOf(jwtRules);
    this.tokenRequired = tokenRequired;
    this.peerModes = peerModes;
    this.http = RbacBuilder.build(this.policies, false, defaultDeny, shadow);
    this.tcp = RbacBuilder.build(this.policies, true, defaultDeny, shadow);
  }

  public Workload workload() {
    return workload;
  }

  /** The AuthorizationPolicies that apply, oldest first. */
  public List<Config<AuthorizationPolicySpec>> policies() {
    return policies;
  }

  /**
   * The ServiceMeshRbacConfig ("NS/default") that enforces authorization on this workload, so that
   * a request no ALLOW policy allows is denied; empty when none does.
   */
  public String enforcedBy() {
    return enforcedBy;
  }

  /** Whether the rules are only logged (ServiceMeshRbacConfig enforcementMode PERMISSIVE). */
  public boolean shadow() {
    return shadow;
  }

  /** The RBAC filters of an HTTP ({@code forTcp} false) or TCP chain. */
  public List<RbacFilter> rbac(boolean forTcp) {
    return forTcp ? tcp : http;
  }

  /** The rules one policy generates, for display. */
  public List<GeneratedRule> rules(Config<AuthorizationPolicySpec> policy, boolean forTcp) {
    return RbacBuilder.rules(policy, forTcp);
  }

  /** The issuers whose tokens are verified. */
  public List<JwtRule> jwtRules() {
    return jwtRules;
  }

  /**
   * The HTTP filters an inbound HTTP chain runs before its router: JWT verification (Envoy only),
   * then RBAC AUDIT, DENY, ALLOW.
   */
  public List<HttpFilter> httpFilters(DataPlane plane) {
    List<HttpFilter> out = new ArrayList<>();
    if (plane == DataPlane.ENVOY) {
      JwtFilters.filter(jwtRules, tokenRequired).ifPresent(out::add);
      for (RbacFilter f : http) {
        out.add(f.http(RbacFilter.HTTP_NAME));
      }
    } else {
      for (RbacFilter f : http) {
        // gRPC refuses two filters of one name.
        String name =
            f.action() == AuthorizationPolicySpec.Action.ALLOW
                ? RbacFilter.HTTP_NAME
                : RbacFilter.HTTP_NAME + "." + f.action().name();
        out.add(f.http(name));
      }
    }
    return out;
  }

  /** The network filters an inbound TCP chain runs before its TCP proxy. */
  public List<Filter> networkFilters() {
    List<Filter> out = new ArrayList<>();
    for (RbacFilter f : tcp) {
      out.add(f.network());
    }
    return out;
  }

  /** The mutual TLS mode of one workload (container) port. */
  public Mtls mtls(int port) {
    return peerModes.resolve(workload.namespace(), workload.labels(), port);
  }

  /** Which rule decides {@code request}, evaluated against the HTTP filters generated here. */
  public Explanation explain(RequestDescription request) {
    return Explainer.explain(http, enforcedBy, shadow, request);
  }
}
