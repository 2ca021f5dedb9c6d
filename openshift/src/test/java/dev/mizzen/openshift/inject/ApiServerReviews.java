package dev.mizzen.openshift.inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.mizzen.ingest.model.Kind;
import java.util.Locale;
import java.util.UUID;

/**
 * AdmissionReviews as the API server sends them to a validating webhook for an object a user
 * applied: the manifest as kubectl sends it (YAML read into JSON), with what the API server has
 * added by then (uid, creation time, generation, managed fields), the request's kind and resource,
 * the user, the options, and for an UPDATE the stored object.
 */
final class ApiServerReviews {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private ApiServerReviews() {}

  /** The manifest as the API server would store it. */
  static ObjectNode stored(String yaml, long generation) throws Exception {
    ObjectNode object = (ObjectNode) YAML.readTree(yaml);
    ObjectNode metadata = (ObjectNode) object.path("metadata");
    metadata.put("uid", "6f1c2f5e-9d0a-4d55-a3be-1d2e0d7b8c01");
    metadata.put("creationTimestamp", "2024-05-02T10:15:30Z");
    metadata.put("generation", generation);
    metadata.put("resourceVersion", String.valueOf(1000 + generation));
    ObjectNode field = metadata.putArray("managedFields").addObject();
    field.put("manager", "kubectl-client-side-apply");
    field.put("operation", "Update");
    field.put("apiVersion", object.path("apiVersion").asText());
    field.put("time", "2024-05-02T10:15:30Z");
    field.put("fieldsType", "FieldsV1");
    field.putObject("fieldsV1").putObject("f:spec");
    return object;
  }

  /** A CREATE of the manifest. */
  static String create(String yaml) throws Exception {
    return review("CREATE", stored(yaml, 1), null, "");
  }

  /** An UPDATE from {@code oldYaml} to {@code yaml}. */
  static String update(String oldYaml, String yaml) throws Exception {
    return review("UPDATE", stored(yaml, 2), stored(oldYaml, 1), "");
  }

  /**
   * The review of {@code operation} on {@code object} ({@code oldObject} for UPDATE and DELETE), of
   * {@code subResource} when not empty.
   */
  static String review(String operation, JsonNode object, JsonNode oldObject, String subResource) {
    JsonNode about = object != null ? object : oldObject;
    String apiVersion = about.path("apiVersion").asText();
    String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
    String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
    String kind = about.path("kind").asText();
    String plural = Kind.byName(kind).map(Kind::plural).orElse(kind.toLowerCase(Locale.ROOT) + "s");
    ObjectNode review = JSON.createObjectNode();
    review.put("apiVersion", "admission.k8s.io/v1");
    review.put("kind", "AdmissionReview");
    ObjectNode request = review.putObject("request");
    request.put("uid", UUID.randomUUID().toString());
    ObjectNode k = request.putObject("kind");
    k.put("group", group).put("version", version).put("kind", kind);
    ObjectNode r = request.putObject("resource");
    r.put("group", group).put("version", version).put("resource", plural);
    request.set("requestKind", k.deepCopy());
    request.set("requestResource", r.deepCopy());
    if (!subResource.isEmpty()) {
      request.put("subResource", subResource);
      request.put("requestSubResource", subResource);
    }
    request.put("name", about.path("metadata").path("name").asText());
    request.put("namespace", about.path("metadata").path("namespace").asText());
    request.put("operation", operation);
    ObjectNode user = request.putObject("userInfo");
    user.put("username", "kubernetes-admin");
    user.putArray("groups").add("system:masters").add("system:authenticated");
    request.set("object", object);
    request.set("oldObject", oldObject);
    request.put("dryRun", false);
    ObjectNode options = request.putObject("options");
    options.put(
        "kind",
        switch (operation) {
          case "UPDATE" -> "UpdateOptions";
          case "DELETE" -> "DeleteOptions";
          default -> "CreateOptions";
        });
    options.put("apiVersion", "meta.k8s.io/v1");
    options.put("fieldManager", "kubectl-client-side-apply");
    options.put("fieldValidation", "Strict");
    return review.toString();
  }
}
