package dev.mizzen.ingest.parse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mizzen.ingest.model.Meta;
import dev.mizzen.ingest.model.NamespaceSpec;

/** A Namespace needs nothing beyond its metadata. */
final class NamespaceTranslator implements SpecTranslator<NamespaceSpec> {

  @Override
  public NamespaceSpec translate(JsonNode object, Meta meta) {
    return new NamespaceSpec();
  }

  @Override
  public JsonNode source(JsonNode object) {
    return null;
  }
}
