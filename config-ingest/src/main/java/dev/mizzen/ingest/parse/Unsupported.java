package dev.mizzen.ingest.parse;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collection;
import java.util.Map;

/** Refuses fields the model cannot carry yet, so that no field a user wrote is silently dropped. */
final class Unsupported {
  private Unsupported() {}

  static void refuse(Object value, String field) throws FieldException {
    // A field written as null is absent, in Kubernetes as in the protobuf JSON mapping.
    if (value != null && !(value instanceof JsonNode n && n.isNull())) {
      throw new FieldException(field, "not supported by this version of Mizzen");
    }
  }

  static void refuseNonEmpty(Collection<?> value, String field) throws FieldException {
    if (value != null && !value.isEmpty()) {
      throw new FieldException(field, "not supported by this version of Mizzen");
    }
  }

  static void refuseNonEmpty(Map<?, ?> value, String field) throws FieldException {
    if (value != null && !value.isEmpty()) {
      throw new FieldException(field, "not supported by this version of Mizzen");
    }
  }
}
