package dev.mizzen.authz.rbac;

import java.util.List;
import java.util.Objects;

/**
 * One rule of one policy, ready to become an Envoy RBAC policy: a request matches when one of the
 * permissions and one of the principals match.
 *
 * @param name Istio's policy name, {@code ns[NS]-policy[NAME]-rule[INDEX]}, which Envoy's access
 *     log and RBAC statistics show
 * @param permissions what the request does, ORed
 * @param principals who sends it, ORed
 */
public record GeneratedRule(String name, List<Matcher> permissions, List<Matcher> principals) {
  public GeneratedRule {
    Objects.requireNonNull(name);
    permissions = List.copyOf(permissions);
    principals = List.copyOf(principals);
  }

  /** Istio's name for rule {@code index} of policy {@code namespace/policy}. */
  public static String name(String namespace, String policy, int index) {
    return "ns[" + namespace + "]-policy[" + policy + "]-rule[" + index + "]";
  }
}
