package dev.mizzen.pilot.analysis;

import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.ConfigError;
import dev.mizzen.ingest.model.Kind;
import dev.mizzen.ingest.model.ObjectRef;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One finding of the analysis: what kind of message, about which object, where that object came
 * from, the field at fault when there is one, and the text in Istio's words.
 *
 * @param type the code, name and level
 * @param kind the object's kind as written
 * @param namespace the object's namespace
 * @param name the object's name
 * @param origin the file (with line) it was read from, or "kubernetes"
 * @param field the path of the field at fault, such as "spec.http[0].route[1].destination.host";
 *     empty when the whole object is
 * @param text what is wrong, as Istio words it
 */
public record AnalysisMessage(
    MessageType type,
    String kind,
    String namespace,
    String name,
    String origin,
    String field,
    String text) {

  /** The order of {@code istioctl analyze}: the worst first, then by code, object and text. */
  public static final Comparator<AnalysisMessage> ORDER =
      Comparator.comparing((AnalysisMessage m) -> m.type().level())
          .thenComparing(m -> m.type().code())
          .thenComparing(AnalysisMessage::kind)
          .thenComparing(AnalysisMessage::namespace)
          .thenComparing(AnalysisMessage::name)
          .thenComparing(AnalysisMessage::field)
          .thenComparing(AnalysisMessage::text);

  /** Where an object read from the cluster comes from; istioctl names no file for those. */
  private static final String CLUSTER = "kubernetes";

  public AnalysisMessage {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(text, "text");
  }

  /** A message about {@code config}. */
  static AnalysisMessage on(Config<?> config, String field, MessageType type, String text) {
    return new AnalysisMessage(
        type,
        config.kind().name(),
        config.namespace(),
        config.name(),
        config.origin(),
        field,
        text);
  }

  /** A message about the object {@code error} names. */
  static AnalysisMessage on(ConfigError error, MessageType type, String text) {
    return new AnalysisMessage(
        type, error.kind(), error.namespace(), error.name(), error.origin(), error.field(), text);
  }

  /** The object, when its kind is one Mizzen knows. */
  public Optional<ObjectRef> ref() {
    return Kind.byName(kind).map(k -> new ObjectRef(k, namespace, name));
  }

  /** The object as istioctl names it: "Kind namespace/name". */
  public String object() {
    String qualified = namespace.isEmpty() ? name : namespace + "/" + name;
    return kind.isEmpty() ? qualified : kind + " " + qualified;
  }

  /**
   * One line as {@code istioctl analyze} prints it: {@code Error [IST0101] (VirtualService
   * shop/cart input.yaml:21) Referenced host not found: "gone"}; the file only for objects read
   * from files.
   */
  public String line() {
    String where = origin.isEmpty() || origin.equals(CLUSTER) ? "" : " " + origin;
    return type.level().display() + " [" + type.code() + "] (" + object() + where + ") " + text;
  }

  /**
   * As JSON (for {@code /debug/analyze} and {@code mizzen analyze -o json}): istioctl's fields
   * ({@code code}, {@code level}, {@code origin}, {@code reference} for a file, {@code message},
   * {@code documentationUrl}) with the code's name, the object and the field.
   */
  public Map<String, Object> json() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("code", type.code());
    m.put("name", type.name());
    m.put("level", type.level().display());
    m.put("origin", object());
    if (!origin.isEmpty() && !origin.equals(CLUSTER)) {
      m.put("reference", origin);
    }
    Map<String, Object> object = new LinkedHashMap<>();
    object.put("kind", kind);
    object.put("namespace", namespace);
    object.put("name", name);
    m.put("object", object);
    m.put("field", field);
    m.put("message", text);
    m.put("documentationUrl", type.documentationUrl());
    return m;
  }

  /** The message as the push reports it among its warnings: on its object and field. */
  public ConfigError asWarning() {
    return new ConfigError(
        origin,
        kind,
        namespace,
        name,
        field,
        type.level().display() + " [" + type.code() + "] " + text);
  }

  /** A value quoted as Go's {@code %q} quotes it, as Istio's messages show names. */
  static String quote(String value) {
    StringBuilder b = new StringBuilder("\"");
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        case '\r' -> b.append("\\r");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            b.append(String.format("\\x%02x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
