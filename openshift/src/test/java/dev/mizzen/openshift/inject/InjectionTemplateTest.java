package dev.mizzen.openshift.inject;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InjectionTemplateTest {
  @TempDir Path dir;

  private InjectionTemplate load(String yaml) throws Exception {
    Path file = dir.resolve("template.yaml");
    Files.writeString(file, yaml);
    return InjectionTemplate.load(file);
  }

  private String refusal(String yaml) {
    Path file = dir.resolve("template.yaml");
    try {
      load(yaml);
    } catch (Exception e) {
      return e.getMessage().replace(file.toString(), "FILE");
    }
    throw new AssertionError("accepted: " + yaml);
  }

  @Test
  void theBuiltInTemplateIsValidAndFillsItsPlaceholders() {
    InjectionTemplate t = InjectionTemplate.builtIn();
    String rendered =
        t.render(
                Map.of(
                    "discoveryAddress", "mizzen.cp.svc:15012",
                    "controlPlaneNamespace", "cp",
                    "domain", "example.local",
                    "podLabels", "{\"app\":\"x\"}",
                    "appContainers", "x"))
            .toString();
    assertThat(rendered)
        .contains("{\\\"discoveryAddress\\\": \\\"mizzen.cp.svc:15012\\\"}")
        .contains("$(POD_NAMESPACE).svc.example.local");
    assertThat(rendered).doesNotContain("{{");
  }

  @Test
  void aTemplateThatCannotBeUsedIsRefusedWithWhereAndWhy() {
    assertThat(refusal("containers: [{name: proxy, image: \"{{proxyImage}}\"}]\n"))
        .isEqualTo(
            "injection template FILE: containers[0].image: unknown placeholder {{proxyImage}}; known: [appContainers,"
                + " controlPlaneNamespace, discoveryAddress, domain, podLabels]");
    assertThat(refusal("containers: [{image: proxy}]\n"))
        .isEqualTo("injection template FILE: containers[0].name: is required");
    assertThat(refusal("sidecars: []\n"))
        .isEqualTo(
            "injection template FILE: sidecars: unknown section; known: [annotations, containers, initContainers, labels, volumes]");
    assertThat(refusal("labels: {a: b}\n"))
        .isEqualTo("injection template FILE: containers: must list the proxy container");
    assertThat(refusal("labels: {a: [b]}\ncontainers: [{name: p}]\n"))
        .isEqualTo("injection template FILE: labels.a: must be a string");
    assertThat(refusal("containers: {name: p}\n"))
        .isEqualTo("injection template FILE: containers: must be a list");
    assertThat(refusal("- a\n"))
        .startsWith(
            "injection template FILE: must be a map of [annotations, containers, initContainers, labels, volumes]");
    assertThat(refusal("containers: [\n")).startsWith("injection template FILE: not YAML: ");
  }

  @Test
  void aValidFileIsAccepted() throws Exception {
    InjectionTemplate t =
        load(
            "containers: [{name: proxy, image: \"my/proxy:1\", env: [{name: X, value: \"{{discoveryAddress}}\"}]}]\n");
    assertThat(t.origin()).endsWith("template.yaml");
    assertThat(
            t.render(Map.of("discoveryAddress", "a:1"))
                .path("containers")
                .get(0)
                .path("env")
                .get(0)
                .path("value")
                .asText())
        .isEqualTo("a:1");
  }
}
