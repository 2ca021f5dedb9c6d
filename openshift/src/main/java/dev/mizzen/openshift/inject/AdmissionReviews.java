package dev.mizzen.openshift.inject;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mizzen.openshift.validate.ValidationAnswer;
import dev.mizzen.openshift.validate.ValidationRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * Reads {@code admission.k8s.io/v1} AdmissionReviews and writes their answers. Anything else is
 * refused with what is wrong, never guessed at.
 */
final class AdmissionReviews {
  static final String API_VERSION = "admission.k8s.io/v1";

  /**
   * The most JSON tokens a review may hold. The tree read from a body can take some 60 bytes per
   * token, so the body limit alone would let a review of tiny tokens take hundreds of MiB; objects
   * the API server stores (at most 1.5 MiB, twice in an UPDATE) take far fewer.
   */
  static final long MAX_TOKENS = 1_000_000;

  private static final ObjectMapper JSON =
      JsonMapper.builder(
              JsonFactory.builder()
                  .streamReadConstraints(
                      StreamReadConstraints.builder().maxTokenCount(MAX_TOKENS).build())
                  .build())
          .build();

  private static final List<String> OPERATIONS = List.of("CREATE", "UPDATE", "DELETE", "CONNECT");

  private AdmissionReviews() {}

  /**
   * A review whose envelope is sound, its request read no further.
   *
   * @param uid the request's uid, echoed in the answer
   * @param request the review's request
   */
  record Review(String uid, JsonNode request) {}

  /** A pod to be created, the one request the injection webhook acts on. */
  record Pod(String namespace, JsonNode object) {}

  /** An AdmissionReview that cannot be answered, with why. */
  static final class MalformedReviewException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int status;

    MalformedReviewException(String reason) {
      this(400, reason);
    }

    MalformedReviewException(int status, String reason) {
      super("malformed AdmissionReview: " + reason);
      this.status = status;
    }

    /** The HTTP status of the refusal. */
    int status() {
      return status;
    }
  }

  static Review parse(byte[] body) throws MalformedReviewException {
    JsonNode review;
    try {
      review = JSON.readTree(body);
    } catch (StreamConstraintsException e) {
      throw new MalformedReviewException(413, "larger than " + MAX_TOKENS + " JSON tokens");
    } catch (JsonProcessingException e) {
      throw new MalformedReviewException("the body is not JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new MalformedReviewException("the body cannot be read: " + e.getMessage());
    }
    if (review == null || !review.isObject()) {
      throw new MalformedReviewException("the body is not a JSON object");
    }
    String apiVersion = review.path("apiVersion").asText("");
    if (!API_VERSION.equals(apiVersion)) {
      throw new MalformedReviewException(
          "apiVersion must be \"" + API_VERSION + "\", not \"" + apiVersion + "\"");
    }
    String kind = review.path("kind").asText("");
    if (!"AdmissionReview".equals(kind)) {
      throw new MalformedReviewException("kind must be \"AdmissionReview\", not \"" + kind + "\"");
    }
    JsonNode request = review.path("request");
    if (!request.isObject()) {
      throw new MalformedReviewException("request is missing");
    }
    JsonNode uid = request.path("uid");
    if (!uid.isTextual() || uid.asText().isEmpty()) {
      throw new MalformedReviewException("request.uid is missing");
    }
    return new Review(uid.asText(), request);
  }

  /** The pod the review asks to create, or null when it asks about anything else. */
  static Pod podCreation(Review review) throws MalformedReviewException {
    JsonNode request = review.request();
    JsonNode resource = request.path("resource");
    boolean pods =
        resource.path("group").asText("").isEmpty()
            && "pods".equals(resource.path("resource").asText())
            && request.path("subResource").asText("").isEmpty();
    if (!pods || !"CREATE".equals(request.path("operation").asText())) {
      return null;
    }
    JsonNode object = request.path("object");
    if (!object.isObject() || !object.path("spec").path("containers").isArray()) {
      throw new MalformedReviewException(
          "request.object: a Pod with spec.containers is required to create a pod");
    }
    String namespace =
        request.path("namespace").asText(object.path("metadata").path("namespace").asText(""));
    if (namespace.isEmpty()) {
      throw new MalformedReviewException("request.namespace: required for a pod");
    }
    return new Pod(namespace, object);
  }

  /** What the review asks the validating webhook. */
  static ValidationRequest validation(Review review) throws MalformedReviewException {
    JsonNode request = review.request();
    String operation = text(request, "operation", "request.operation");
    if (!OPERATIONS.contains(operation)) {
      throw new MalformedReviewException(
          "request.operation: \"" + operation + "\" is not one of " + OPERATIONS);
    }
    JsonNode kind = request.path("kind");
    if (!kind.isObject()) {
      throw new MalformedReviewException("request.kind is missing");
    }
    String kindName = text(kind, "kind", "request.kind.kind");
    if (kindName.isEmpty()) {
      throw new MalformedReviewException("request.kind.kind is missing");
    }
    JsonNode object = request.get("object");
    boolean writes = operation.equals("CREATE") || operation.equals("UPDATE");
    if (writes && (object == null || !object.isObject())) {
      throw new MalformedReviewException(
          "request.object: the object is required to "
              + operation.toLowerCase(Locale.ROOT)
              + " it");
    }
    return new ValidationRequest(
        operation,
        text(kind, "group", "request.kind.group"),
        text(kind, "version", "request.kind.version"),
        kindName,
        text(request, "subResource", "request.subResource"),
        text(request, "namespace", "request.namespace"),
        writes ? object : null);
  }

  private static String text(JsonNode parent, String key, String field)
      throws MalformedReviewException {
    JsonNode value = parent.get(key);
    if (value == null || value.isNull()) {
      return "";
    }
    if (!value.isTextual()) {
      throw new MalformedReviewException(field + ": expected a string");
    }
    return value.asText();
  }

  /** The answer: always allowed; with the patch when there is one. */
  static byte[] allow(String uid, ArrayNode patch) {
    ObjectNode review = JSON.createObjectNode();
    review.put("apiVersion", API_VERSION);
    review.put("kind", "AdmissionReview");
    ObjectNode response = review.putObject("response");
    response.put("uid", uid);
    response.put("allowed", true);
    if (patch != null && !patch.isEmpty()) {
      response.put("patchType", "JSONPatch");
      response.put(
          "patch",
          Base64.getEncoder().encodeToString(patch.toString().getBytes(StandardCharsets.UTF_8)));
    }
    return review.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The validating webhook's answer; a refusal carries its reason as a 400 Bad Request, which
   * {@code kubectl} shows after the name of the webhook that refused.
   */
  static byte[] answer(String uid, ValidationAnswer answer) {
    ObjectNode review = JSON.createObjectNode();
    review.put("apiVersion", API_VERSION);
    review.put("kind", "AdmissionReview");
    ObjectNode response = review.putObject("response");
    response.put("uid", uid);
    response.put("allowed", answer.allowed());
    if (!answer.warnings().isEmpty()) {
      answer.warnings().forEach(response.putArray("warnings")::add);
    }
    if (!answer.allowed()) {
      ObjectNode status = response.putObject("status");
      status.put("code", 400);
      status.put("reason", "BadRequest");
      status.put("message", answer.message());
    }
    return review.toString().getBytes(StandardCharsets.UTF_8);
  }
}
