package dev.mizzen.authz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.parse.ManifestParser;
import org.junit.jupiter.api.Test;

/** Which of Maistra's control-plane-wide objects are accepted but ignored, and the words why. */
class NotHonouredTest {
  private static Config<?> parse(String yaml) {
    return new ManifestParser().parse("mesh.yaml", yaml).get(0).config();
  }

  @Test
  void onlyTheDefaultInTheControlPlanesNamespaceIsHonoured() {
    Config<?> honoured =
        parse(
            """
            apiVersion: rbac.maistra.io/v1
            kind: ServiceMeshRbacConfig
            metadata: {name: default, namespace: istio-system}
            spec: {mode: "ON"}
            """);
    Config<?> elsewhere =
        parse(
            """
            apiVersion: authentication.maistra.io/v1
            kind: ServiceMeshPolicy
            metadata: {name: default, namespace: shop}
            spec: {}
            """);
    Config<?> virtualService =
        parse(
            """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: other, namespace: shop}
            spec: {hosts: [a], http: [{route: [{destination: {host: a}}]}]}
            """);
    assertThat(Authorization.notHonoured(honoured, "istio-system")).isEmpty();
    assertThat(Authorization.notHonoured(virtualService, "istio-system")).isEmpty();
    assertThat(Authorization.notHonoured(elsewhere, "istio-system").orElseThrow().detail())
        .isEqualTo(
            "ServiceMeshPolicy shop/default: metadata: ignored: only the ServiceMeshPolicy named"
                + " \"default\" in the control plane's namespace \"istio-system\" is honoured");
  }
}
