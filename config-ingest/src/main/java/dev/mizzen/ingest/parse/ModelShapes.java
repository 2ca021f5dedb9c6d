package dev.mizzen.ingest.parse;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks a JSON tree against the shape of the istio-model class it is about to be read as: every
 * value of the type its field declares, no empty list item, no empty map value. Jackson reports
 * most of these itself, but istio-model's reader of one-of fields ({@code exact}/{@code prefix},
 * {@code httpCookie}/{@code httpHeaderName}, ...) turns a wrong value into a misleading "unknown
 * field" one level up, or into a class cast; checked here first, each gets its own path.
 */
final class ModelShapes {
  private static final Map<JavaType, Map<String, JavaType>> FIELDS = new ConcurrentHashMap<>();

  private ModelShapes() {}

  static void check(ObjectMapper mapper, JsonNode node, JavaType type, String path)
      throws FieldException {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return; // an absent value; what must be present is the translators' to say
    }
    Class<?> raw = type.getRawClass();
    if (type.isEnumType()) {
      if (!node.isTextual()) {
        throw new FieldException(
            path,
            "wrong type: expected a string, one of " + String.join(", ", ClosedEnums.allowed(raw)));
      }
    } else if (raw == String.class) {
      require(node.isTextual(), path, "string");
    } else if (raw == Integer.class
        || raw == int.class
        || raw == Long.class
        || raw == long.class
        || raw == BigInteger.class) {
      require(node.isIntegralNumber(), path, "integer");
    } else if (raw == Double.class
        || raw == double.class
        || raw == Float.class
        || raw == float.class) {
      require(node.isNumber(), path, "number");
    } else if (raw == Boolean.class || raw == boolean.class) {
      require(node.isBoolean(), path, "boolean");
    } else if (type.isCollectionLikeType()) {
      require(node.isArray(), path, "list");
      for (int i = 0; i < node.size(); i++) {
        String item = path + "[" + i + "]";
        if (node.get(i).isNull()) {
          throw new FieldException(item, "empty list item");
        }
        check(mapper, node.get(i), type.getContentType(), item);
      }
    } else if (type.isMapLikeType()) {
      require(node.isObject(), path, "map");
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String entry = path + "." + e.getKey();
        if (e.getValue().isNull()) {
          throw new FieldException(entry, "empty value");
        }
        check(mapper, e.getValue(), type.getContentType(), entry);
      }
    } else if (raw.getName().startsWith("io.fabric8.istio.")) {
      require(node.isObject(), path, "object");
      Map<String, JavaType> fields = FIELDS.computeIfAbsent(type, t -> fields(mapper, t));
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        JavaType field = fields.get(e.getKey());
        if (field != null) {
          check(mapper, e.getValue(), field, path.isEmpty() ? e.getKey() : path + "." + e.getKey());
        }
        // An unknown name is Jackson's to refuse, with the same path.
      }
    }
  }

  private static void require(boolean ok, String path, String type) throws FieldException {
    if (!ok) {
      throw new FieldException(path, "wrong type: expected " + type);
    }
  }

  /** The fields an object may hold, with the members of its one-ofs lifted to its own level. */
  private static Map<String, JavaType> fields(ObjectMapper mapper, JavaType type) {
    Map<String, JavaType> out = new HashMap<>();
    JsonSubTypes subtypes = type.getRawClass().getAnnotation(JsonSubTypes.class);
    if (subtypes != null) {
      for (JsonSubTypes.Type t : subtypes.value()) {
        out.putAll(fields(mapper, mapper.constructType(t.value())));
      }
      return out;
    }
    for (BeanPropertyDefinition p :
        mapper.getDeserializationConfig().introspect(type).findProperties()) {
      if (!p.couldDeserialize() || p.getPrimaryMember() == null) {
        continue;
      }
      if (p.getPrimaryMember().hasAnnotation(JsonUnwrapped.class)) {
        out.putAll(fields(mapper, p.getPrimaryType()));
      } else {
        out.put(p.getName(), p.getPrimaryType());
      }
    }
    return out;
  }
}
