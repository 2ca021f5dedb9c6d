package dev.mizzen.openshift.inject;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What injection adds to a pod: labels, annotations, init containers, containers and volumes,
 * written as YAML with {@code {{placeholder}}}s in its strings. Read and checked once, when the
 * control plane starts, so that a broken template stops the start with the reason instead of
 * breaking pods later; placeholders are filled in after parsing, so no value can break the YAML.
 */
public final class InjectionTemplate {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final String BUILT_IN = "injection-template.yaml";
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z]+)\\s*}}");
  static final Set<String> PLACEHOLDERS =
      Set.of("discoveryAddress", "controlPlaneNamespace", "domain", "podLabels", "appContainers");
  private static final Set<String> SECTIONS =
      Set.of("labels", "annotations", "initContainers", "containers", "volumes");

  private final String origin;
  private final ObjectNode template;

  private InjectionTemplate(String origin, ObjectNode template) {
    this.origin = origin;
    this.template = template;
  }

  /** The template Mizzen ships, for Istio's proxyv2 image. */
  public static InjectionTemplate builtIn() {
    try (InputStream in = InjectionTemplate.class.getResourceAsStream(BUILT_IN)) {
      if (in == null) {
        throw new IllegalStateException("the built-in injection template is missing from the jar");
      }
      return parse("built-in template", new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the built-in injection template", e);
    }
  }

  /**
   * Reads and checks {@code file}; the message of the exception names the file, field and reason.
   */
  public static InjectionTemplate load(Path file) throws IOException {
    return parse(file.toString(), Files.readString(file));
  }

  static InjectionTemplate parse(String origin, String yaml) throws InvalidTemplateException {
    JsonNode root;
    try {
      root = YAML.readTree(yaml);
    } catch (JsonProcessingException e) {
      throw new InvalidTemplateException(origin, "", "not YAML: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new InvalidTemplateException(origin, "", "must be a map of " + new TreeSet<>(SECTIONS));
    }
    ObjectNode template = (ObjectNode) root;
    for (Iterator<String> it = template.fieldNames(); it.hasNext(); ) {
      String section = it.next();
      if (!SECTIONS.contains(section)) {
        throw new InvalidTemplateException(
            origin, section, "unknown section; known: " + new TreeSet<>(SECTIONS));
      }
    }
    for (String map : new String[] {"labels", "annotations"}) {
      JsonNode n = template.path(map);
      if (!n.isMissingNode()) {
        if (!n.isObject()) {
          throw new InvalidTemplateException(origin, map, "must be a map of strings");
        }
        for (Map.Entry<String, JsonNode> e : n.properties()) {
          if (!e.getValue().isTextual()) {
            throw new InvalidTemplateException(origin, map + "." + e.getKey(), "must be a string");
          }
        }
      }
    }
    for (String list : new String[] {"initContainers", "containers", "volumes"}) {
      JsonNode n = template.path(list);
      if (n.isMissingNode()) {
        continue;
      }
      if (!n.isArray()) {
        throw new InvalidTemplateException(origin, list, "must be a list");
      }
      for (int i = 0; i < n.size(); i++) {
        if (!n.get(i).isObject()
            || !n.get(i).path("name").isTextual()
            || n.get(i).path("name").asText().isEmpty()) {
          throw new InvalidTemplateException(origin, list + "[" + i + "].name", "is required");
        }
      }
    }
    if (template.path("containers").size() == 0) {
      throw new InvalidTemplateException(origin, "containers", "must list the proxy container");
    }
    checkPlaceholders(origin, "", template);
    return new InjectionTemplate(origin, template);
  }

  private static void checkPlaceholders(String origin, String at, JsonNode node)
      throws InvalidTemplateException {
    if (node.isTextual()) {
      Matcher m = PLACEHOLDER.matcher(node.asText());
      while (m.find()) {
        if (!PLACEHOLDERS.contains(m.group(1))) {
          throw new InvalidTemplateException(
              origin,
              at,
              "unknown placeholder {{" + m.group(1) + "}}; known: " + new TreeSet<>(PLACEHOLDERS));
        }
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        checkPlaceholders(origin, at + "[" + i + "]", node.get(i));
      }
    } else if (node.isObject()) {
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        checkPlaceholders(origin, at.isEmpty() ? e.getKey() : at + "." + e.getKey(), e.getValue());
      }
    }
  }

  /** Where the template came from: a file, or the built-in one. */
  public String origin() {
    return origin;
  }

  /** The template with every placeholder replaced by its value. */
  ObjectNode render(Map<String, String> values) {
    return (ObjectNode) fill(template.deepCopy(), values);
  }

  private static JsonNode fill(JsonNode node, Map<String, String> values) {
    if (node.isTextual()) {
      Matcher m = PLACEHOLDER.matcher(node.asText());
      StringBuilder out = new StringBuilder();
      while (m.find()) {
        m.appendReplacement(out, Matcher.quoteReplacement(values.getOrDefault(m.group(1), "")));
      }
      m.appendTail(out);
      return TextNode.valueOf(out.toString());
    }
    if (node.isArray()) {
      ArrayNode a = (ArrayNode) node;
      for (int i = 0; i < a.size(); i++) {
        a.set(i, fill(a.get(i), values));
      }
    } else if (node.isObject()) {
      ObjectNode o = (ObjectNode) node;
      for (Map.Entry<String, JsonNode> e : o.properties()) {
        e.setValue(fill(e.getValue(), values));
      }
    }
    return node;
  }

  /** A template that cannot be used, with where and why. */
  public static final class InvalidTemplateException extends IOException {
    private static final long serialVersionUID = 1L;

    InvalidTemplateException(String origin, String field, String reason) {
      super("injection template " + origin + ": " + (field.isEmpty() ? "" : field + ": ") + reason);
    }
  }
}
