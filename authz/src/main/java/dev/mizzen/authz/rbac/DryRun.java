package dev.mizzen.authz.rbac;

import dev.mizzen.ingest.model.Config;
import java.util.Optional;

/**
 * Istio's {@code istio.io/dry-run} annotation: an AuthorizationPolicy annotated "true" is evaluated
 * into Envoy shadow rules, logged and counted, and not enforced. The value is read as Go reads a
 * boolean (1, t, T, TRUE, true, True and their false forms), as Istio reads it.
 */
public final class DryRun {
  public static final String ANNOTATION = "istio.io/dry-run";

  private DryRun() {}

  /**
   * Whether the policy is a dry run; empty when its annotation is not a boolean (it is enforced).
   */
  public static Optional<Boolean> of(Config<?> policy) {
    String value = policy.meta().annotations().get(ANNOTATION);
    if (value == null) {
      return Optional.of(false);
    }
    return switch (value) {
      case "1", "t", "T", "TRUE", "true", "True" -> Optional.of(true);
      case "0", "f", "F", "FALSE", "false", "False" -> Optional.of(false);
      default -> Optional.empty();
    };
  }
}
