package dev.mizzen.authz.rbac;

import dev.mizzen.ingest.model.AuthorizationPolicySpec;
import dev.mizzen.ingest.model.AuthorizationPolicySpec.Action;
import dev.mizzen.ingest.model.Config;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The RBAC filters of one filter chain: AUDIT (Envoy's LOG), DENY, then ALLOW, each only when it
 * has policies, as Istio orders them.
 */
public final class RbacBuilder {
  private RbacBuilder() {}

  /**
   * @param policies the policies that apply to the workload, oldest first
   * @param forTcp whether the filters are for a TCP chain
   * @param defaultDeny whether requests no ALLOW policy allows are denied even when no ALLOW policy
   *     applies (ServiceMeshRbacConfig's enforcement)
   * @param shadow whether the filters only log (ServiceMeshRbacConfig's PERMISSIVE mode)
   */
  public static List<RbacFilter> build(
      List<Config<AuthorizationPolicySpec>> policies,
      boolean forTcp,
      boolean defaultDeny,
      boolean shadow) {
    List<RbacFilter> filters = new ArrayList<>(3);
    for (Action action : List.of(Action.AUDIT, Action.DENY, Action.ALLOW)) {
      RBAC.Builder rbac = RBAC.newBuilder().setAction(envoyAction(action));
      RBAC.Builder dryRun = RBAC.newBuilder().setAction(envoyAction(action));
      int applying = 0;
      int dryRunning = 0;
      for (Config<AuthorizationPolicySpec> p : policies) {
        if (p.spec().action() != action) {
          continue;
        }
        boolean isDryRun = DryRun.of(p).orElse(false);
        if (isDryRun) {
          dryRunning++;
        } else {
          applying++;
        }
        for (GeneratedRule rule : rules(p, forTcp)) {
          (isDryRun ? dryRun : rbac).putPolicies(rule.name(), RbacEncoder.policy(rule));
        }
      }
      boolean enforces =
          action == Action.ALLOW ? applying > 0 || defaultDeny : rbac.getPoliciesCount() > 0;
      // As Istio: dry-run policies become shadow rules, evaluated and counted but not enforced,
      // beside the enforced rules of their action (none when only dry-run policies apply).
      RBAC dryRunRules = dryRunning > 0 ? dryRun.build() : null;
      if (enforces || dryRunRules != null) {
        // An ALLOW filter without policies is kept on purpose: it denies every request.
        filters.add(new RbacFilter(action, enforces ? rbac.build() : null, shadow, dryRunRules));
      }
    }
    return filters;
  }

  /** The generated rules of one policy, for debug output and the filters alike. */
  public static List<GeneratedRule> rules(Config<AuthorizationPolicySpec> p, boolean forTcp) {
    AuthorizationPolicySpec spec = p.spec();
    if (spec.rules().isEmpty()) {
      // Istio's "allow nothing"; DENY policies without rules are refused at ingest.
      return spec.action() == Action.ALLOW
          ? List.of(RuleGenerator.matchNothing(p.namespace(), p.name()))
          : List.of();
    }
    List<GeneratedRule> out = new ArrayList<>();
    for (int i = 0; i < spec.rules().size(); i++) {
      Optional<GeneratedRule> rule =
          RuleGenerator.generate(
              p.namespace(), p.name(), i, spec.rules().get(i), spec.action(), forTcp);
      rule.ifPresent(out::add);
    }
    return out;
  }

  private static RBAC.Action envoyAction(Action action) {
    return switch (action) {
      case AUDIT -> RBAC.Action.LOG;
      case DENY -> RBAC.Action.DENY;
      case ALLOW -> RBAC.Action.ALLOW;
    };
  }
}
