package dev.mizzen.openshift.inject;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Reads {@code admission.k8s.io/v1} AdmissionReviews and writes their answers. Anything else is
 * refused with what is wrong, never guessed at.
 */
final class AdmissionReviews {
  static final String API_VERSION = "admission.k8s.io/v1";
  private static final ObjectMapper JSON = new ObjectMapper();

  private AdmissionReviews() {}

  /**
   * One admission request.
   *
   * @param uid the request's uid, echoed in the answer
   * @param pod whether it asks about creating a Pod, the only request the webhook acts on
   * @param namespace the namespace of the object
   * @param object the object, for a Pod creation
   */
  record Request(String uid, boolean pod, String namespace, JsonNode object) {}

  /** An AdmissionReview that cannot be answered, with why. */
  static final class MalformedReviewException extends Exception {
    private static final long serialVersionUID = 1L;

    MalformedReviewException(String reason) {
      super("malformed AdmissionReview: " + reason);
    }
  }

  static Request parse(byte[] body) throws MalformedReviewException {
    JsonNode review;
    try {
      review = JSON.readTree(body);
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
    JsonNode resource = request.path("resource");
    boolean pods =
        resource.path("group").asText("").isEmpty()
            && "pods".equals(resource.path("resource").asText())
            && request.path("subResource").asText("").isEmpty();
    boolean pod = pods && "CREATE".equals(request.path("operation").asText());
    if (!pod) {
      return new Request(uid.asText(), false, request.path("namespace").asText(""), null);
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
    return new Request(uid.asText(), true, namespace, object);
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
}
