package dev.mizzen.ingest.parse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mizzen.ingest.model.Meta;
import dev.mizzen.ingest.model.Spec;

/** A kind Mizzen knows but never accepts, refused with the reason Maistra gives. */
final class RefusedKindTranslator implements SpecTranslator<Spec> {
  private final String reason;

  RefusedKindTranslator(String reason) {
    this.reason = reason;
  }

  @Override
  public Spec translate(JsonNode object, Meta meta) throws FieldException {
    throw new FieldException("", reason);
  }
}
