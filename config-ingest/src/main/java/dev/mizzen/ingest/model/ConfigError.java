package dev.mizzen.ingest.model;

import java.util.Objects;

/**
 * Why an object was refused: where it came from, which object, which field and the reason.
 *
 * @param origin the file (with line when known) or "kubernetes"
 * @param kind the object's kind as written, empty when it could not be read
 * @param namespace the object's namespace, empty when cluster-scoped or unknown
 * @param name the object's name, empty when unknown
 * @param field the path of the offending field, such as "spec.http[0].match[0].uri.regex"; empty
 *     when the whole object is at fault
 * @param reason what is wrong
 */
public record ConfigError(
    String origin, String kind, String namespace, String name, String field, String reason) {

  /** The longest reason kept; what a refusal quotes of the input is bounded with it. */
  public static final int MAX_REASON_LENGTH = 4096;

  /**
   * What the input contributes to an error (names, field paths, quoted values) is made safe to
   * print on one line: line breaks and other control characters escaped, and the reason bounded.
   */
  public ConfigError {
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(reason, "reason");
    kind = Printable.text(kind, 256);
    namespace = Printable.text(namespace, 256);
    name = Printable.text(name, 512);
    field = Printable.text(field, 1024);
    reason = Printable.text(reason, MAX_REASON_LENGTH);
  }

  /** The object as "Kind namespace/name", or what is known of it. */
  public String object() {
    String qualified = namespace.isEmpty() ? name : namespace + "/" + name;
    if (kind.isEmpty()) {
      return qualified.isEmpty() ? "object" : qualified;
    }
    return qualified.isEmpty() ? kind : kind + " " + qualified;
  }

  /** One line in the form "origin: Kind ns/name: field: reason". */
  public String message() {
    return origin + ": " + detail();
  }

  /**
   * The message without its origin, "Kind ns/name: field: reason", for a reader who knows where the
   * object came from (the API server, in an admission answer).
   */
  public String detail() {
    StringBuilder b = new StringBuilder(object()).append(": ");
    if (!field.isEmpty()) {
      b.append(field).append(": ");
    }
    return b.append(reason).toString();
  }

  @Override
  public String toString() {
    return message();
  }
}
