package dev.mizzen.ingest.parse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mizzen.ingest.model.Meta;
import dev.mizzen.ingest.model.PodSpec;

/**
 * Kubernetes Pod into {@link PodSpec}. Only the three fields Mizzen uses are read, each checked for
 * its type: a Pod is the largest of Kubernetes' models (hundreds of classes for Jackson to look at
 * before the first one is read), and the API server has validated the rest.
 */
final class PodTranslator implements SpecTranslator<PodSpec> {

  @Override
  public PodSpec translate(JsonNode object, Meta meta) throws FieldException {
    String ip = text(object.path("status"), "podIP", "status.podIP", "");
    JsonNode spec = object.path("spec");
    String serviceAccount = text(spec, "serviceAccountName", "spec.serviceAccountName", "default");
    boolean hostNetwork = false;
    JsonNode host = spec.path("hostNetwork");
    if (!host.isMissingNode() && !host.isNull()) {
      if (!host.isBoolean()) {
        throw new FieldException("spec.hostNetwork", "wrong type: expected boolean");
      }
      hostNetwork = host.booleanValue();
    }
    return new PodSpec(ip, serviceAccount, hostNetwork);
  }

  /** The string at {@code key} of {@code parent}, or {@code absent} when there is none. */
  private static String text(JsonNode parent, String key, String field, String absent)
      throws FieldException {
    if (!parent.isMissingNode() && !parent.isNull() && !parent.isObject()) {
      throw new FieldException(
          field.substring(0, field.indexOf('.')), "wrong type: expected object");
    }
    JsonNode value = parent.path(key);
    if (value.isMissingNode() || value.isNull()) {
      return absent;
    }
    if (!value.isTextual()) {
      throw new FieldException(field, "wrong type: expected string");
    }
    return value.textValue();
  }

  @Override
  public JsonNode source(JsonNode object) {
    return null;
  }
}
