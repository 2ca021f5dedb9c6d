package dev.mizzen.ingest.parse;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.Module;
import com.fasterxml.jackson.databind.deser.Deserializers;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.lang.reflect.Field;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Reads every enum by its exact name and refuses anything else. istio-model's enums read unknown
 * names as null and any case as a match, so {@code action: DENNY} would quietly become the default
 * ALLOW; Istio's CRD schemas list the names and accept exactly those, as the protobuf JSON mapping
 * does.
 */
final class ClosedEnums {
  private ClosedEnums() {}

  static Module module() {
    return new SimpleModule("closed-enums") {
      private static final long serialVersionUID = 1L;

      @Override
      public void setupModule(SetupContext context) {
        super.setupModule(context);
        context.addDeserializers(
            new Deserializers.Base() {
              @Override
              public JsonDeserializer<?> findEnumDeserializer(
                  Class<?> type, DeserializationConfig config, BeanDescription beanDesc) {
                return new Reader(type);
              }
            });
      }
    };
  }

  /**
   * The names an enum accepts, in the order of their protobuf numbers where the enum keeps them.
   */
  static List<String> allowed(Class<?> type) {
    return constants(type).stream().map(Enum::name).toList();
  }

  private static List<Enum<?>> constants(Class<?> type) {
    Enum<?>[] values = (Enum<?>[]) type.getEnumConstants();
    Function<Enum<?>, Integer> number = numberOf(type);
    return Arrays.stream(values).sorted(Comparator.comparing(number)).collect(Collectors.toList());
  }

  /** istio-model keeps each constant's protobuf number in a private "value" field. */
  private static Function<Enum<?>, Integer> numberOf(Class<?> type) {
    try {
      Field field = type.getDeclaredField("value");
      if (field.getType() != int.class) {
        return Enum::ordinal;
      }
      field.setAccessible(true);
      return e -> {
        try {
          return field.getInt(e);
        } catch (IllegalAccessException ex) {
          return e.ordinal();
        }
      };
    } catch (NoSuchFieldException | RuntimeException e) {
      return Enum::ordinal;
    }
  }

  private static final class Reader extends JsonDeserializer<Object> {
    private final Class<?> type;
    private final Map<String, Enum<?>> byName;

    Reader(Class<?> type) {
      this.type = type;
      this.byName =
          Arrays.stream((Enum<?>[]) type.getEnumConstants())
              .collect(Collectors.toMap(Enum::name, e -> e));
    }

    @Override
    public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (p.currentToken() != JsonToken.VALUE_STRING) {
        return ctxt.handleUnexpectedToken(type, p);
      }
      String text = p.getText();
      Enum<?> found = byName.get(text);
      if (found == null) {
        throw InvalidFormatException.from(p, "unknown enum value", text, type);
      }
      return found;
    }
  }
}
