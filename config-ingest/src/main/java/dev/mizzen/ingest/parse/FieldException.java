package dev.mizzen.ingest.parse;

/** A field of an object is invalid; carries the field's path and the reason. */
final class FieldException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String field;

  FieldException(String field, String reason) {
    super(reason, null, false, false);
    this.field = field;
  }

  String field() {
    return field;
  }

  String reason() {
    return getMessage();
  }

  /** The same error for a field nested under {@code prefix}. */
  FieldException under(String prefix) {
    if (field.isEmpty()) {
      return new FieldException(prefix, reason());
    }
    String joined = field.startsWith("[") ? prefix + field : prefix + "." + field;
    return new FieldException(joined, reason());
  }
}
