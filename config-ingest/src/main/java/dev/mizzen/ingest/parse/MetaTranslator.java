package dev.mizzen.ingest.parse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mizzen.ingest.model.Kind;
import dev.mizzen.ingest.model.Meta;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads and checks object metadata. */
final class MetaTranslator {
  private MetaTranslator() {}

  static Meta translate(Kind<?> kind, JsonNode object) throws FieldException {
    JsonNode metadata = object.get("metadata");
    if (metadata == null || metadata.isNull()) {
      throw new FieldException("metadata", "required");
    }
    if (!metadata.isObject()) {
      throw new FieldException("metadata", "wrong type: expected object");
    }
    String name = text(metadata, "name", "metadata.name");
    if (name.isEmpty()) {
      throw new FieldException("metadata.name", "required");
    }
    if (!Names.isDns1123Subdomain(name)) {
      throw new FieldException(
          "metadata.name",
          "\"" + name + "\" is not a valid name: lower case letters, digits, '-' and '.'");
    }
    String namespace = "";
    if (kind.namespaced()) {
      namespace = text(metadata, "namespace", "metadata.namespace");
      if (namespace.isEmpty()) {
        namespace = "default";
      }
      Names.requireLabel(namespace, "metadata.namespace");
    } else if (kind == Kind.NAMESPACE) {
      Names.requireLabel(name, "metadata.name");
    }
    Map<String, String> labels = stringMap(metadata, "labels", "metadata.labels");
    Map<String, String> annotations = stringMap(metadata, "annotations", "metadata.annotations");
    String resourceVersion = text(metadata, "resourceVersion", "metadata.resourceVersion");
    JsonNode generation = metadata.get("generation");
    long gen = generation != null && generation.canConvertToLong() ? generation.asLong() : 0;
    Instant created = Instant.EPOCH;
    String timestamp = text(metadata, "creationTimestamp", "metadata.creationTimestamp");
    if (!timestamp.isEmpty()) {
      try {
        created = Instant.parse(timestamp);
      } catch (DateTimeParseException e) {
        throw new FieldException("metadata.creationTimestamp", "not an RFC 3339 time");
      }
    }
    return new Meta(name, namespace, labels, annotations, resourceVersion, gen, created);
  }

  private static String text(JsonNode parent, String key, String field) throws FieldException {
    JsonNode node = parent.get(key);
    if (node == null || node.isNull()) {
      return "";
    }
    if (!node.isTextual()) {
      throw new FieldException(field, "wrong type: expected string");
    }
    return node.asText();
  }

  private static Map<String, String> stringMap(JsonNode parent, String key, String field)
      throws FieldException {
    JsonNode node = parent.get(key);
    if (node == null || node.isNull()) {
      return Map.of();
    }
    if (!node.isObject()) {
      throw new FieldException(field, "wrong type: expected map");
    }
    Map<String, String> result = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      if (!e.getValue().isTextual()) {
        throw new FieldException(field + "." + e.getKey(), "wrong type: expected string");
      }
      result.put(e.getKey(), e.getValue().asText());
    }
    return result;
  }
}
