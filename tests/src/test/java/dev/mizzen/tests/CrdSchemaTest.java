package dev.mizzen.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * deploy/crds against objects of every field Maistra's own definitions accept: each must pass the
 * schema with nothing pruned, and values outside an enum must fail, as the API server decides.
 */
class CrdSchemaTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static JsonNode sample(String name) throws IOException {
    try (InputStream in =
        CrdSchemaTest.class.getResourceAsStream("/maistra-objects/" + name + ".yaml")) {
      return YAML.readTree(in);
    }
  }

  private static JsonNode schemaFor(JsonNode object) throws IOException {
    String apiVersion = object.path("apiVersion").asText();
    String group = apiVersion.substring(0, apiVersion.indexOf('/'));
    String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
    for (JsonNode crd : allCrds()) {
      JsonNode spec = crd.path("spec");
      if (spec.path("group").asText().equals(group)
          && spec.path("names").path("kind").asText().equals(object.path("kind").asText())) {
        for (JsonNode v : spec.path("versions")) {
          if (v.path("name").asText().equals(version)) {
            return v.path("schema").path("openAPIV3Schema");
          }
        }
      }
    }
    throw new AssertionError(
        "no CRD in deploy/crds serves " + apiVersion + " " + object.path("kind").asText());
  }

  private static List<JsonNode> allCrds() throws IOException {
    List<JsonNode> crds = new ArrayList<>();
    try (var files = Files.list(Path.of("..", "deploy", "crds"))) {
      for (var f : files.sorted().toList()) {
        crds.add(YAML.readTree(f.toFile()));
      }
    }
    return crds;
  }

  /** Structural-schema validation as the API server applies it, enough for these CRDs. */
  static List<String> validate(JsonNode value, JsonNode schema, String path) {
    List<String> errors = new ArrayList<>();
    if (value.isNull()) {
      if (!schema.path("nullable").asBoolean()) {
        errors.add(path + ": null is not allowed");
      }
      return errors;
    }
    String type = schema.path("type").asText();
    switch (type) {
      case "object" -> {
        if (!value.isObject()) {
          errors.add(path + ": expected object");
          return errors;
        }
        for (JsonNode required : schema.path("required")) {
          if (!value.has(required.asText())) {
            errors.add(path + "." + required.asText() + ": required");
          }
        }
        if (schema.has("oneOf")) {
          int matches = 0;
          for (JsonNode branch : schema.path("oneOf")) {
            boolean all = true;
            for (JsonNode required : branch.path("required")) {
              all &= value.has(required.asText());
            }
            matches += all ? 1 : 0;
          }
          if (matches != 1) {
            errors.add(path + ": must match exactly one of " + schema.path("oneOf"));
          }
        }
        boolean preserve = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean();
        for (Map.Entry<String, JsonNode> field : value.properties()) {
          JsonNode sub = schema.path("properties").get(field.getKey());
          if (sub == null && schema.has("additionalProperties")) {
            sub = schema.get("additionalProperties");
          }
          if (sub == null) {
            if (!preserve) {
              errors.add(
                  path + "." + field.getKey() + ": unknown field, the API server would drop it");
            }
          } else if (!(path.isEmpty() && field.getKey().equals("metadata"))) {
            errors.addAll(validate(field.getValue(), sub, path + "." + field.getKey()));
          }
        }
      }
      case "array" -> {
        if (!value.isArray()) {
          errors.add(path + ": expected array");
          return errors;
        }
        for (int i = 0; i < value.size(); i++) {
          errors.addAll(validate(value.get(i), schema.path("items"), path + "[" + i + "]"));
        }
      }
      case "string" -> {
        if (!value.isTextual()) {
          errors.add(path + ": expected string");
        } else if (schema.has("enum")) {
          boolean listed = false;
          for (JsonNode e : schema.path("enum")) {
            listed |= e.asText().equals(value.asText());
          }
          if (!listed) {
            errors.add(path + ": \"" + value.asText() + "\" is not one of " + schema.path("enum"));
          }
        }
      }
      case "integer" -> {
        if (!value.isIntegralNumber()) {
          errors.add(path + ": expected integer");
        }
      }
      case "boolean" -> {
        if (!value.isBoolean()) {
          errors.add(path + ": expected boolean");
        }
      }
      default -> {
        if (!schema.path("x-kubernetes-preserve-unknown-fields").asBoolean()) {
          errors.add(path + ": the schema gives no type");
        }
      }
    }
    return errors;
  }

  @Test
  void everyCrdIsStructuralV1() throws IOException {
    for (JsonNode crd : allCrds()) {
      assertThat(crd.path("apiVersion").asText()).isEqualTo("apiextensions.k8s.io/v1");
      for (JsonNode v : crd.path("spec").path("versions")) {
        assertThat(v.path("schema").path("openAPIV3Schema").path("type").asText())
            .isEqualTo("object");
      }
    }
  }

  @Test
  void acceptsMaistraObjectsWithEveryField() throws IOException {
    for (String name :
        List.of(
            "servicemeshmemberroll",
            "servicemeshmember",
            "servicemeshpolicy",
            "servicemeshrbacconfig")) {
      JsonNode object = sample(name);
      assertThat(validate(object, schemaFor(object), "")).as(name).isEmpty();
    }
  }

  @Test
  void refusesWhatMaistraRefuses() throws IOException {
    JsonNode config = sample("servicemeshrbacconfig");
    ((ObjectNode) config.path("spec")).put("mode", "SOMETIMES");
    assertThat(validate(config, schemaFor(config), ""))
        .containsExactly(
            ".spec.mode: \"SOMETIMES\" is not one of [\"OFF\",\"ON\",\"ON_WITH_INCLUSION\",\"ON_WITH_EXCLUSION\"]");
    JsonNode member = sample("servicemeshmember");
    ((ObjectNode) member.path("spec")).remove("controlPlaneRef");
    assertThat(validate(member, schemaFor(member), ""))
        .containsExactly(".spec.controlPlaneRef: required");
  }
}
