package dev.mizzen.ingest.parse;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;

/** Reads a JSON tree into a protobuf message with the proto3 JSON mapping. */
final class ProtoJson {
  private static final String UNKNOWN = "Cannot find field: ";

  private ProtoJson() {}

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
    }
    try {
      parser.merge(node.toString(), builder);
    } catch (InvalidProtocolBufferException e) {
      throw new FieldException(field, reason(e.getMessage()));
    }
  }

  private static String reason(String message) {
    if (message != null && message.startsWith(UNKNOWN)) {
      String rest = message.substring(UNKNOWN.length());
      int space = rest.indexOf(' ');
      return "unknown field \"" + (space < 0 ? rest : rest.substring(0, space)) + "\"";
    }
    return String.valueOf(message);
  }
}
