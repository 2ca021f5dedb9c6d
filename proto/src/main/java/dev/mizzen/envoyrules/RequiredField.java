package dev.mizzen.envoyrules;

import io.envoyproxy.pgv.ValidationException;

/**
 * The {@code (validate.rules).message.required} check of the generated validators.
 *
 * <p>PGV's own check takes a {@code GeneratedMessageV3}, which protobuf 4's well-known types
 * (Duration, UInt32Value, ...) no longer are; the build points the generated code here instead. The
 * generated code passes the field's value when it is set and {@code null} when it is not.
 */
public final class RequiredField {
  /** The value a violation of this check carries: nothing to show. */
  static final Object UNSET = new Object();

  private RequiredField() {}

  public static void check(String field, Object valueOrNull) throws ValidationException {
    if (valueOrNull == null) {
      throw new ValidationException(field, UNSET, "is required");
    }
  }
}
