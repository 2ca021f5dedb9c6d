package dev.mizzen.ingest.parse;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.InvalidNullException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.lang.reflect.Field;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The two ways objects are read: strictly for Istio and Maistra specs (an unknown field, a value of
 * the wrong type, an enum name Istio does not define or an empty list item is an error, as Istio's
 * validation makes it), leniently for Kubernetes' own kinds, which the API server has already
 * validated and which gain fields faster than any model.
 */
final class Mappers {

  /** Refuses unknown fields even where the model keeps them in an "additionalProperties" map. */
  static final ObjectMapper STRICT = strict();

  /** Ignores unknown fields; still refuses values of the wrong type. */
  static final ObjectMapper LENIENT = lenient();

  private Mappers() {}

  private static ObjectMapper strict() {
    ObjectMapper mapper = new ObjectMapper();
    mapper.setAnnotationIntrospector(
        new JacksonAnnotationIntrospector() {
          private static final long serialVersionUID = 1L;

          @Override
          public Boolean hasAnySetter(Annotated a) {
            return Boolean.FALSE;
          }
        });
    mapper.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    mapper.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    // "- " with nothing after it, or "key:" with no value, inside a list or map: say so here
    // rather than leave a null for every translator loop to trip over.
    mapper.setDefaultSetterInfo(JsonSetter.Value.forContentNulls(Nulls.FAIL));
    mapper.registerModule(ClosedEnums.module());
    refuseScalarCoercion(mapper);
    return mapper;
  }

  private static ObjectMapper lenient() {
    ObjectMapper mapper = new ObjectMapper();
    mapper.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    refuseScalarCoercion(mapper);
    return mapper;
  }

  private static void refuseScalarCoercion(ObjectMapper mapper) {
    mapper
        .coercionConfigFor(LogicalType.Textual)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    mapper
        .coercionConfigFor(LogicalType.Integer)
        .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
    mapper
        .coercionConfigFor(LogicalType.Float)
        .setCoercion(CoercionInputShape.String, CoercionAction.Fail);
    mapper
        .coercionConfigFor(LogicalType.Boolean)
        .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
  }

  /** The istio-model classes the translators read strictly. */
  private static final List<Class<?>> STRICT_MODELS =
      List.of(
          io.fabric8.istio.api.api.networking.v1alpha3.VirtualService.class,
          io.fabric8.istio.api.api.networking.v1alpha3.DestinationRule.class,
          io.fabric8.istio.api.api.networking.v1alpha3.Gateway.class,
          io.fabric8.istio.api.api.networking.v1alpha3.Sidecar.class,
          io.fabric8.istio.api.api.networking.v1alpha3.ServiceEntry.class,
          io.fabric8.istio.api.api.security.v1beta1.AuthorizationPolicy.class,
          io.fabric8.istio.api.api.security.v1beta1.Rule.class,
          io.fabric8.istio.api.api.security.v1beta1.PeerAuthentication.class,
          io.fabric8.istio.api.api.security.v1beta1.RequestAuthentication.class);

  /** The Kubernetes model classes the translators read leniently. */
  private static final List<Class<?>> LENIENT_MODELS =
      List.of(
          io.fabric8.kubernetes.api.model.Service.class,
          io.fabric8.kubernetes.api.model.Endpoints.class);

  /**
   * Builds the readers of the Istio models the translators read, as their first reads would:
   * Jackson looks at each model class once per mapper (hundreds of classes), the largest part of a
   * small mesh's start. Safe to run beside reads (Jackson's caches are thread-safe); a model it has
   * not reached yet is simply looked at by the first read.
   */
  static void prepareStrict() {
    STRICT_MODELS.forEach(STRICT::readerFor);
  }

  /** As {@link #prepareStrict}, for the Kubernetes models. */
  static void prepareLenient() {
    LENIENT_MODELS.forEach(LENIENT::readerFor);
  }

  /** Reads {@code node} as {@code type}, turning Jackson's complaint into a field error. */
  static <T> T read(ObjectMapper mapper, JsonNode node, Class<T> type, String path)
      throws FieldException {
    if (mapper == STRICT) {
      ModelShapes.check(mapper, node, mapper.constructType(type), path);
    } else {
      noEmptyItems(node, path);
    }
    try {
      return mapper.treeToValue(node, type);
    } catch (JsonMappingException e) {
      throw new FieldException(join(path, pathOf(e.getPath())), reasonOf(e));
    } catch (JsonProcessingException e) {
      throw new FieldException(path, e.getOriginalMessage());
    } catch (IllegalArgumentException e) {
      throw new FieldException(path, String.valueOf(e.getMessage()));
    }
  }

  /**
   * Refuses an empty list item anywhere in {@code node}: the API server never stores one in a
   * Kubernetes object (it is a required field missing), and nothing Mizzen reads may be null.
   */
  private static void noEmptyItems(JsonNode node, String path) throws FieldException {
    if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        String item = path + "[" + i + "]";
        if (node.get(i).isNull()) {
          throw new FieldException(item, "empty list item");
        }
        noEmptyItems(node.get(i), item);
      }
    } else if (node.isObject()) {
      for (var it = node.fields(); it.hasNext(); ) {
        var e = it.next();
        noEmptyItems(e.getValue(), path.isEmpty() ? e.getKey() : path + "." + e.getKey());
      }
    }
  }

  private static String join(String prefix, String rest) {
    if (rest.isEmpty()) {
      return prefix;
    }
    if (prefix.isEmpty()) {
      return rest;
    }
    return rest.startsWith("[") ? prefix + rest : prefix + "." + rest;
  }

  static String pathOf(List<JsonMappingException.Reference> references) {
    StringBuilder b = new StringBuilder();
    for (JsonMappingException.Reference r : references) {
      if (r.getFieldName() != null && isUnwrapped(r)) {
        continue;
      }
      if (r.getFieldName() != null) {
        if (b.length() > 0) {
          b.append('.');
        }
        b.append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        b.append('[').append(r.getIndex()).append(']');
      }
    }
    return b.toString();
  }

  /**
   * istio-model reads a one-of ({@code exact}, {@code prefix}, {@code regex}) through a property
   * that is not written in the object; it must not appear in the field path.
   */
  private static boolean isUnwrapped(JsonMappingException.Reference r) {
    Object from = r.getFrom();
    Class<?> type = from instanceof Class<?> c ? c : from == null ? null : from.getClass();
    for (Class<?> t = type; t != null && t != Object.class; t = t.getSuperclass()) {
      for (Field f : t.getDeclaredFields()) {
        if (f.getName().equalsIgnoreCase(r.getFieldName())
            && f.isAnnotationPresent(JsonUnwrapped.class)) {
          return true;
        }
      }
    }
    return false;
  }

  private static String reasonOf(JsonMappingException e) {
    if (e.getCause() instanceof ClassCastException) {
      // istio-model's one-of reader takes any value as an object.
      return "wrong type: expected object";
    }
    if (e instanceof UnrecognizedPropertyException) {
      return "unknown field";
    }
    if (e instanceof InvalidNullException) {
      List<JsonMappingException.Reference> path = e.getPath();
      boolean item = !path.isEmpty() && path.get(path.size() - 1).getIndex() >= 0;
      return item ? "empty list item" : "empty value";
    }
    Class<?> target = e instanceof MismatchedInputException m ? m.getTargetType() : null;
    if (target != null && target.isEnum()) {
      String allowed = String.join(", ", ClosedEnums.allowed(target));
      if (e instanceof InvalidFormatException f && f.getValue() instanceof String s) {
        return "unknown value \"" + s + "\"; allowed: " + allowed;
      }
      return "wrong type: expected a string, one of " + allowed;
    }
    if (e instanceof InvalidFormatException f && !(f.getValue() instanceof String)) {
      return "wrong type: expected " + typeName(f.getTargetType());
    }
    if (e instanceof InvalidFormatException f) {
      return "invalid value " + quote(f.getValue()) + " for a " + typeName(f.getTargetType());
    }
    if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
      return "wrong type: expected " + typeName(m.getTargetType());
    }
    String message = e.getOriginalMessage();
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  private static String quote(Object value) {
    return value instanceof String ? "\"" + value + "\"" : String.valueOf(value);
  }

  private static String typeName(Class<?> type) {
    if (type == String.class) {
      return "string";
    }
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
      return "integer";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "boolean";
    }
    if (type == Double.class
        || type == double.class
        || type == Float.class
        || type == float.class) {
      return "number";
    }
    if (Map.class.isAssignableFrom(type)) {
      return "map";
    }
    if (Collection.class.isAssignableFrom(type)) {
      return "list";
    }
    return "object";
  }
}
