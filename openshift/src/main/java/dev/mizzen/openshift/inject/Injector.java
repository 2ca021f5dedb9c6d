package dev.mizzen.openshift.inject;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Decides whether a pod gets the sidecar, as Maistra does: only when it asks with the annotation
 * {@code sidecar.istio.io/inject} (never because of a namespace label), only in member namespaces,
 * never with the node's network; and writes the JSON patch that injects it, or that only records
 * why not.
 */
final class Injector {
  static final String INJECT = "sidecar.istio.io/inject";
  static final String STATUS = "sidecar.istio.io/status";

  /** Says, on every pod the webhook sees, whether it was injected and why not. */
  static final String DECISION = "sidecar.maistra.io/injection";

  static final String INJECTED = "injected";
  private static final Set<String> YES = Set.of("y", "yes", "true", "on");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** Whether to inject, and the explanation recorded on the pod. */
  record Decision(boolean inject, String explanation) {}

  private final Injection settings;

  Injector(Injection settings) {
    this.settings = settings;
  }

  Decision decide(JsonNode pod, String namespace, boolean member) {
    if (!member) {
      return skip(
          "namespace "
              + namespace
              + " is not a member of the mesh of "
              + settings.controlPlaneNamespace());
    }
    JsonNode value = pod.path("metadata").path("annotations").path(INJECT);
    if (value.isMissingNode() || value.isNull()) {
      return skip("not annotated " + INJECT + " (injection is opt-in)");
    }
    String text = value.asText();
    if (!YES.contains(text.toLowerCase(Locale.ROOT))) {
      return skip("annotated " + INJECT + ": \"" + text + "\"");
    }
    if (pod.path("spec").path("hostNetwork").asBoolean(false)) {
      return skip("the pod uses the node's network (hostNetwork)");
    }
    for (JsonNode c : settings.template().render(Map.of()).path("containers")) {
      String name = c.path("name").asText();
      for (String section : List.of("containers", "initContainers")) {
        for (JsonNode existing : pod.path("spec").path(section)) {
          if (name.equals(existing.path("name").asText())) {
            return skip("the pod already has a container named " + name);
          }
        }
      }
    }
    return new Decision(true, INJECTED);
  }

  private static Decision skip(String why) {
    return new Decision(false, "not injected: " + why);
  }

  /**
   * The JSON patch (RFC 6902) for {@code pod}: the sidecar when injected, the explanation always.
   */
  ArrayNode patch(JsonNode pod, Decision decision) {
    ArrayNode ops = NODES.arrayNode();
    Map<String, String> annotations = new LinkedHashMap<>();
    if (!decision.inject()) {
      annotations.put(DECISION, decision.explanation());
      addToMap(ops, pod, "annotations", annotations);
      return ops;
    }
    List<String> appContainers = new ArrayList<>();
    pod.path("spec").path("containers").forEach(c -> appContainers.add(c.path("name").asText()));
    Map<String, String> values = new LinkedHashMap<>();
    values.put("discoveryAddress", settings.discoveryAddress());
    values.put("controlPlaneNamespace", settings.controlPlaneNamespace());
    values.put("domain", settings.domain());
    values.put("appContainers", String.join(",", appContainers));
    // The labels the proxy reports are the pod's once injected: its own and those added here.
    Map<String, String> labels = new TreeMap<>(strings(pod.path("metadata").path("labels")));
    Map<String, String> addedLabels = new LinkedHashMap<>();
    values.put("podLabels", "");
    settings
        .template()
        .render(values)
        .path("labels")
        .properties()
        .forEach(
            e -> {
              if (!labels.containsKey(e.getKey())) {
                addedLabels.put(e.getKey(), e.getValue().asText());
              }
            });
    labels.putAll(addedLabels);
    values.put("podLabels", json(labels));
    ObjectNode t = settings.template().render(values);
    Map<String, String> existing = strings(pod.path("metadata").path("annotations"));
    t.path("annotations")
        .properties()
        .forEach(
            e -> {
              if (!existing.containsKey(e.getKey())) {
                annotations.put(e.getKey(), e.getValue().asText());
              }
            });
    List<String> inits = settings.cni() ? List.of() : names(t.path("initContainers"));
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("initContainers", inits.isEmpty() ? null : inits);
    status.put("containers", names(t.path("containers")));
    status.put("volumes", names(t.path("volumes")));
    status.put("imagePullSecrets", null);
    status.put("revision", "default");
    annotations.put(STATUS, json(status));
    annotations.put(DECISION, decision.explanation());
    if (!settings.cni()) {
      addToList(ops, pod, "initContainers", t.path("initContainers"));
    }
    addToList(ops, pod, "containers", t.path("containers"));
    addToList(ops, pod, "volumes", t.path("volumes"));
    addToMap(ops, pod, "labels", addedLabels);
    addToMap(ops, pod, "annotations", annotations);
    return ops;
  }

  private static void addToList(ArrayNode ops, JsonNode pod, String field, JsonNode items) {
    if (!items.isArray() || items.isEmpty()) {
      return;
    }
    JsonNode current = pod.path("spec").path(field);
    if (!current.isArray()) {
      ops.add(op("/spec/" + field, items));
      return;
    }
    for (JsonNode item : items) {
      ops.add(op("/spec/" + field + "/-", item));
    }
  }

  private static void addToMap(
      ArrayNode ops, JsonNode pod, String field, Map<String, String> entries) {
    if (entries.isEmpty()) {
      return;
    }
    if (!pod.path("metadata").path(field).isObject()) {
      ObjectNode all = NODES.objectNode();
      entries.forEach(all::put);
      ops.add(op("/metadata/" + field, all));
      return;
    }
    entries.forEach(
        (k, v) ->
            ops.add(
                op(
                    "/metadata/" + field + "/" + k.replace("~", "~0").replace("/", "~1"),
                    NODES.textNode(v))));
  }

  private static ObjectNode op(String path, JsonNode value) {
    ObjectNode op = NODES.objectNode();
    op.put("op", "add");
    op.put("path", path);
    op.set("value", value);
    return op;
  }

  private static List<String> names(JsonNode items) {
    List<String> names = new ArrayList<>();
    items.forEach(i -> names.add(i.path("name").asText()));
    return names;
  }

  private static Map<String, String> strings(JsonNode map) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : map.properties()) {
      out.put(e.getKey(), e.getValue().asText());
    }
    return out;
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("maps of strings always serialize", e);
    }
  }
}
