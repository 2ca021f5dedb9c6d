package dev.mizzen.ingest.parse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mizzen.ingest.model.Meta;
import dev.mizzen.ingest.model.Spec;

/** Turns the object of one kind, as read, into its validated spec record. */
interface SpecTranslator<S extends Spec> {

  /**
   * @param object the whole object (apiVersion, kind, metadata, spec, ...)
   * @param meta its already translated metadata
   * @throws FieldException naming the first invalid field
   */
  S translate(JsonNode object, Meta meta) throws FieldException;

  /** The part of the object worth showing in debug output, or null for none. */
  default JsonNode source(JsonNode object) {
    return object.get("spec");
  }
}
