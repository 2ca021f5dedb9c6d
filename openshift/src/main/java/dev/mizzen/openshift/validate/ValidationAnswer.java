package dev.mizzen.openshift.validate;

import java.util.List;
import java.util.Objects;

/**
 * The webhook's answer about one object.
 *
 * @param allowed whether the API server may store it
 * @param message why not, naming the object, the field and the reason; empty when allowed
 * @param warnings what Mizzen accepts of an allowed object but ignores or treats otherwise than
 *     Istio, each naming the object, the field and the reason ({@code kubectl} prints them as
 *     warnings)
 */
public record ValidationAnswer(boolean allowed, String message, List<String> warnings) {
  private static final ValidationAnswer ALLOWED = new ValidationAnswer(true, "", List.of());

  public ValidationAnswer {
    Objects.requireNonNull(message);
    warnings = List.copyOf(warnings);
    if (allowed != message.isEmpty()) {
      throw new IllegalArgumentException("a refusal says why, and only a refusal");
    }
  }

  public static ValidationAnswer allow() {
    return ALLOWED;
  }

  /** Allowed, with {@code warnings} (none: {@link #allow()}). */
  public static ValidationAnswer allow(List<String> warnings) {
    return warnings.isEmpty() ? ALLOWED : new ValidationAnswer(true, "", warnings);
  }

  public static ValidationAnswer refuse(String message) {
    return new ValidationAnswer(false, message, List.of());
  }
}
