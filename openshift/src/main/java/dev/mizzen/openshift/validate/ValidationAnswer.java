package dev.mizzen.openshift.validate;

import java.util.Objects;

/**
 * The webhook's answer about one object.
 *
 * @param allowed whether the API server may store it
 * @param message why not, naming the object, the field and the reason; empty when allowed
 */
public record ValidationAnswer(boolean allowed, String message) {
  private static final ValidationAnswer ALLOWED = new ValidationAnswer(true, "");

  public ValidationAnswer {
    Objects.requireNonNull(message);
    if (allowed != message.isEmpty()) {
      throw new IllegalArgumentException("a refusal says why, and only a refusal");
    }
  }

  public static ValidationAnswer allow() {
    return ALLOWED;
  }

  public static ValidationAnswer refuse(String message) {
    return new ValidationAnswer(false, message);
  }
}
