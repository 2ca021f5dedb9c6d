package dev.mizzen.authz;

import java.util.List;
import java.util.Objects;

/**
 * Which policy and rule decided a described request, and how.
 *
 * @param decision ALLOW or DENY, as the proxy enforces it
 * @param filter the RBAC filter that decided (DENY or ALLOW), empty when none did
 * @param policy the deciding rule's generated name, {@code ns[NS]-policy[NAME]-rule[INDEX]}, as
 *     Envoy's access log and RBAC statistics name it; empty when no rule decided
 * @param namespace the deciding policy's namespace, empty when none
 * @param name the deciding policy's name, empty when none
 * @param rule the deciding rule's index, -1 when none
 * @param message the decision in a sentence
 * @param audited the AUDIT rules that match (logged, not deciding)
 * @param enforced false when the rules are only logged (ServiceMeshRbacConfig PERMISSIVE); the
 *     decision is then what enforcement would decide, and the request passes
 * @param dryRun the rules of dry-run policies ({@code istio.io/dry-run}) that match, each as
 *     "ACTION name": what they would do if enforced; they decide nothing
 */
public record Explanation(
    String decision,
    String filter,
    String policy,
    String namespace,
    String name,
    int rule,
    String message,
    List<String> audited,
    boolean enforced,
    List<String> dryRun) {

  public Explanation {
    Objects.requireNonNull(decision);
    Objects.requireNonNull(filter);
    Objects.requireNonNull(policy);
    Objects.requireNonNull(namespace);
    Objects.requireNonNull(name);
    Objects.requireNonNull(message);
    audited = List.copyOf(audited);
    dryRun = List.copyOf(dryRun);
  }
}
