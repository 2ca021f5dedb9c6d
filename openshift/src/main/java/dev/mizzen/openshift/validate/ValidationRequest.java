package dev.mizzen.openshift.validate;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * What the API server asks about one object, as its admission review says it.
 *
 * @param operation CREATE, UPDATE, DELETE or CONNECT
 * @param group the API group of the object's kind, empty for Kubernetes' core group
 * @param version the version the object is written in
 * @param kind the object's kind, such as "VirtualService"
 * @param subResource the subresource written, such as "status"; empty when the object itself is
 * @param namespace the namespace of the request
 * @param object the object as it would be stored; null for DELETE and CONNECT
 */
public record ValidationRequest(
    String operation,
    String group,
    String version,
    String kind,
    String subResource,
    String namespace,
    JsonNode object) {

  public ValidationRequest {
    Objects.requireNonNull(operation);
    Objects.requireNonNull(group);
    Objects.requireNonNull(version);
    Objects.requireNonNull(kind);
    Objects.requireNonNull(subResource);
    Objects.requireNonNull(namespace);
  }
}
