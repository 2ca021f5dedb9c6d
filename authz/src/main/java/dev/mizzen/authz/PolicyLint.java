package dev.mizzen.authz;

import dev.mizzen.ingest.model.AuthorizationPolicySpec;
import dev.mizzen.ingest.model.AuthorizationPolicySpec.Rule;
import dev.mizzen.ingest.model.Config;
import java.util.List;
import java.util.Optional;

/** Policies that are valid but almost certainly not what their author meant. */
final class PolicyLint {
  private PolicyLint() {}

  /**
   * The classic trap: a {@code from} and a {@code to} written as two list items, i.e. two rules,
   * which are ORed, where one rule holding both (ANDed) was meant. In an ALLOW policy the trap lets
   * anyone matching the {@code from} do anything, and anyone do the {@code to}.
   */
  static Optional<String> orInsteadOfAnd(Config<AuthorizationPolicySpec> policy) {
    List<Rule> rules = policy.spec().rules();
    for (int i = 0; i < rules.size(); i++) {
      if (!onlyFrom(rules.get(i))) {
        continue;
      }
      for (int j = 0; j < rules.size(); j++) {
        if (onlyTo(rules.get(j))) {
          return Optional.of(
              "rules["
                  + i
                  + "] has only a \"from\" and rules["
                  + j
                  + "] only a \"to\": separate rules are ORed, so this "
                  + policy.spec().action()
                  + " policy matches a request that satisfies either one. To require both, write"
                  + " them in one rule (\"- from: ...\" with \"to: ...\" under it, no second \"-\")");
        }
      }
    }
    return Optional.empty();
  }

  private static boolean onlyFrom(Rule r) {
    return r.unreadable() == null && !r.from().isEmpty() && r.to().isEmpty() && r.when().isEmpty();
  }

  private static boolean onlyTo(Rule r) {
    return r.unreadable() == null && r.from().isEmpty() && !r.to().isEmpty() && r.when().isEmpty();
  }
}
