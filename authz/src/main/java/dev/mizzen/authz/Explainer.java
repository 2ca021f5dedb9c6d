package dev.mizzen.authz;

import dev.mizzen.authz.explain.RbacEvaluator;
import dev.mizzen.authz.explain.RequestDescription;
import dev.mizzen.authz.rbac.RbacFilter;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a described request through a workload's generated RBAC filters in Envoy's order and says
 * which rule decided: AUDIT rules only log; a matching DENY rule denies; then, when an ALLOW filter
 * is present, a matching ALLOW rule allows and no match denies; with no ALLOW filter, the request
 * passes. Rules of dry-run policies decide nothing; those that match are listed. Within a filter,
 * rules are tried in name order, as gRPC does (Envoy only says "one matched"; any matching rule is
 * a true answer).
 */
final class Explainer {
  private static final Pattern NAME =
      Pattern.compile("ns\\[(.+)\\]-policy\\[(.+)\\]-rule\\[([0-9]+)\\]");

  private Explainer() {}

  static Explanation explain(
      List<RbacFilter> filters, String enforcedBy, boolean shadow, RequestDescription r) {
    List<String> audited = new ArrayList<>();
    List<String> dryRun = new ArrayList<>();
    for (RbacFilter f : filters) {
      if (f.dryRun() != null) {
        matching(f.dryRun(), r).forEach(name -> dryRun.add(f.action().name() + " " + name));
      }
    }
    RbacFilter allow = null;
    for (RbacFilter f : filters) {
      if (f.rules() == null) {
        // Only dry-run policies of this action: nothing is enforced.
        continue;
      }
      switch (f.action()) {
        case AUDIT -> audited.addAll(matching(f.rules(), r));
        case DENY -> {
          List<String> denied = matching(f.rules(), r);
          if (!denied.isEmpty()) {
            return decided(
                "DENY", f, denied.get(0), audited, shadow, "denied by DENY policy", dryRun);
          }
        }
        case ALLOW -> allow = f;
      }
    }
    if (allow == null) {
      return new Explanation(
          "ALLOW",
          "",
          "",
          "",
          "",
          -1,
          "allowed: no policy matched (no DENY rule matches and no ALLOW policy applies)",
          audited,
          true,
          dryRun);
    }
    List<String> allowed = matching(allow.rules(), r);
    if (!allowed.isEmpty()) {
      return decided(
          "ALLOW", allow, allowed.get(0), audited, shadow, "allowed by ALLOW policy", dryRun);
    }
    String why;
    if (allow.rules().getPoliciesCount() > 0) {
      why =
          "denied: no rule matched; ALLOW policies apply to this workload and none of their rules allows the request";
    } else if (!enforcedBy.isEmpty()) {
      why =
          "denied: no rule matched; ServiceMeshRbacConfig "
              + enforcedBy
              + " enforces authorization on this workload and no ALLOW rule allows the request";
    } else {
      why =
          "denied: no rule matched; every rule of the ALLOW policies that apply was dropped (invalid,"
              + " or HTTP-only on a TCP chain), so they allow nothing";
    }
    return new Explanation(
        "DENY", "ALLOW", "", "", "", -1, shadowed(why, shadow), audited, !shadow, dryRun);
  }

  private static Explanation decided(
      String decision,
      RbacFilter f,
      String policy,
      List<String> audited,
      boolean shadow,
      String how,
      List<String> dryRun) {
    Matcher m = NAME.matcher(policy);
    String ns = "";
    String name = "";
    int rule = -1;
    if (m.matches()) {
      ns = m.group(1);
      name = m.group(2);
      rule = Integer.parseInt(m.group(3));
    }
    String message = how + " " + ns + "/" + name + ", rule " + rule + " (" + policy + ")";
    boolean enforced = !shadow;
    return new Explanation(
        enforced ? decision : "ALLOW",
        f.action().name(),
        policy,
        ns,
        name,
        rule,
        shadowed(message, shadow),
        audited,
        enforced,
        dryRun);
  }

  private static String shadowed(String message, boolean shadow) {
    return shadow
        ? message
            + " -- but the rules are only logged (ServiceMeshRbacConfig enforcementMode PERMISSIVE), so the request passes"
        : message;
  }

  private static List<String> matching(RBAC rules, RequestDescription r) {
    Map<String, Policy> byName = new TreeMap<>(rules.getPoliciesMap());
    List<String> out = new ArrayList<>();
    byName.forEach(
        (name, policy) -> {
          if (RbacEvaluator.matches(policy, r)) {
            out.add(name);
          }
        });
    return out;
  }
}
