package dev.mizzen.ingest.parse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mizzen.ingest.model.PodSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class PodTranslatorTest {
  private static ParseResult parse(String body) {
    List<ParseResult> results =
        new ManifestParser()
            .parse(
                "pods.yaml",
                "apiVersion: v1\nkind: Pod\nmetadata: {name: web-1, namespace: shop}\n" + body);
    assertThat(results).hasSize(1);
    return results.get(0);
  }

  @Test
  void readsTheAddressTheAccountAndTheHostNetwork() {
    ParseResult r =
        parse(
            """
            spec:
              serviceAccountName: web
              hostNetwork: true
              containers: [{name: app, image: web, ports: [{containerPort: 8080}]}]
            status: {podIP: 10.1.0.1, phase: Running}
            """);
    assertThat(r.config().spec()).isEqualTo(new PodSpec("10.1.0.1", "web", true));
  }

  @Test
  void aPodNotYetScheduledHasNoAddressAndTheDefaultAccount() {
    assertThat(parse("spec: {containers: [{name: app}]}\n").config().spec())
        .isEqualTo(new PodSpec("", "default", false));
    assertThat(parse("").config().spec()).isEqualTo(new PodSpec("", "default", false));
  }

  @Test
  void theFieldsItReadsMustHaveTheirTypes() {
    assertThat(parse("status: {podIP: 10}\n").error().message())
        .contains("status.podIP")
        .contains("expected string");
    assertThat(parse("spec: {serviceAccountName: [a]}\n").error().message())
        .contains("spec.serviceAccountName")
        .contains("expected string");
    assertThat(parse("spec: {hostNetwork: \"yes\"}\n").error().message())
        .contains("spec.hostNetwork")
        .contains("expected boolean");
    assertThat(parse("status: up\n").error().message())
        .contains("status")
        .contains("expected object");
  }
}
