package dev.mizzen.ingest.parse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.mizzen.proto.maistra.v1.ServiceMeshMemberRollSpec;
import java.util.Iterator;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads a JSON tree into a protobuf message with the proto3 JSON mapping. The tree is first checked
 * against the message's descriptor, so that every complaint names its field (the JSON parser's own
 * messages name none) and enums take exactly their names, as the Maistra CRDs list them.
 */
final class ProtoJson {
  private ProtoJson() {}

  /**
   * Loads the JSON parser and the member roll's descriptors, as the first member roll read would
   * (every control plane has one; see {@link ModelPreload}).
   */
  static void prepare() {
    try {
      merge(
          JsonNodeFactory.instance.objectNode(),
          ServiceMeshMemberRollSpec.newBuilder(),
          "spec",
          false);
    } catch (FieldException e) {
      throw new IllegalStateException("an empty member roll is refused: " + e.reason(), e);
    }
  }

  /**
   * @param lenient whether unknown fields are ignored (for status, written by others) or refused
   */
  static void merge(JsonNode node, Message.Builder builder, String field, boolean lenient)
      throws FieldException {
    if (!node.isObject()) {
      throw new FieldException(field, "wrong type: expected object");
    }
    JsonFormat.Parser parser = JsonFormat.parser();
    if (lenient) {
      parser = parser.ignoringUnknownFields();
    } else {
      checkMessage(node, builder.getDescriptorForType(), field);
    }
    try {
      parser.merge(node.toString(), builder);
    } catch (InvalidProtocolBufferException e) {
      throw new FieldException(field, String.valueOf(e.getMessage()));
    }
  }

  private static void checkMessage(JsonNode node, Descriptor type, String path)
      throws FieldException {
    if (!node.isObject()) {
      throw new FieldException(path, "wrong type: expected object");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String f = path + "." + e.getKey();
      FieldDescriptor fd = type.findFieldByName(e.getKey());
      if (fd == null) {
        fd =
            type.getFields().stream()
                .filter(d -> d.getJsonName().equals(e.getKey()))
                .findFirst()
                .orElse(null);
      }
      if (fd == null) {
        throw new FieldException(f, "unknown field");
      }
      JsonNode value = e.getValue();
      if (value.isNull()) {
        continue; // null means unset in the proto3 JSON mapping
      }
      if (fd.getRealContainingOneof() != null) {
        for (FieldDescriptor rival : fd.getRealContainingOneof().getFields()) {
          JsonNode other =
              rival == fd
                  ? null
                  : node.has(rival.getName())
                      ? node.get(rival.getName())
                      : node.get(rival.getJsonName());
          if (other != null && !other.isNull()) {
            throw new FieldException(
                f, fd.getJsonName() + " and " + rival.getJsonName() + " exclude each other");
          }
        }
      }
      if (fd.isMapField()) {
        if (!value.isObject()) {
          throw new FieldException(f, "wrong type: expected map");
        }
        FieldDescriptor valueField = fd.getMessageType().findFieldByName("value");
        for (Iterator<Map.Entry<String, JsonNode>> entries = value.fields(); entries.hasNext(); ) {
          Map.Entry<String, JsonNode> entry = entries.next();
          checkItem(entry.getValue(), valueField, f + "." + entry.getKey(), "empty value");
        }
      } else if (fd.isRepeated()) {
        if (!value.isArray()) {
          throw new FieldException(f, "wrong type: expected list");
        }
        for (int i = 0; i < value.size(); i++) {
          checkItem(value.get(i), fd, f + "[" + i + "]", "empty list item");
        }
      } else {
        checkValue(value, fd, f);
      }
    }
  }

  private static void checkItem(JsonNode value, FieldDescriptor fd, String f, String ifNull)
      throws FieldException {
    if (value.isNull()) {
      throw new FieldException(f, ifNull);
    }
    checkValue(value, fd, f);
  }

  private static void checkValue(JsonNode value, FieldDescriptor fd, String f)
      throws FieldException {
    switch (fd.getJavaType()) {
      case MESSAGE -> checkMessage(value, fd.getMessageType(), f);
      case STRING -> require(value.isTextual(), f, "string");
      case BOOLEAN -> require(value.isBoolean(), f, "boolean");
      case INT, LONG -> require(value.isIntegralNumber(), f, "integer");
      case FLOAT, DOUBLE -> require(value.isNumber(), f, "number");
      case ENUM -> checkEnum(value, fd.getEnumType(), f);
      default -> {} // bytes: the JSON parser checks the base64 itself
    }
  }

  private static void checkEnum(JsonNode value, EnumDescriptor type, String f)
      throws FieldException {
    String allowed =
        type.getValues().stream()
            .map(EnumValueDescriptor::getName)
            .collect(Collectors.joining(", "));
    if (!value.isTextual()) {
      throw new FieldException(f, "wrong type: expected a string, one of " + allowed);
    }
    if (type.findValueByName(value.asText()) == null) {
      throw new FieldException(f, "unknown value \"" + value.asText() + "\"; allowed: " + allowed);
    }
  }

  private static void require(boolean ok, String f, String type) throws FieldException {
    if (!ok) {
      throw new FieldException(f, "wrong type: expected " + type);
    }
  }
}
