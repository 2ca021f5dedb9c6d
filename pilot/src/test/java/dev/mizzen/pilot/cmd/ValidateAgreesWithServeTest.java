package dev.mizzen.pilot.cmd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mizzen.ingest.file.ManifestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mizzen validate} reports, file by file, exactly what a control plane serving that file
 * reports (the start-up report's refused, fail closed and warnings, which /debug/configz shows
 * too), for every golden input, the examples and the conformance samples.
 */
class ValidateAgreesWithServeTest {
  private static final String CP = "istio-system";
  private static final List<Path> CORPUS =
      List.of(
          Path.of("src/test/resources/golden"),
          Path.of("../examples/mesh"),
          Path.of("src/test/resources/conformance"),
          Path.of("../authz/src/test/resources/conformance"));

  @TempDir Path tmp;

  @Test
  void validateAndServeGiveOneVerdictPerFile() throws Exception {
    List<Path> files = new ArrayList<>();
    for (Path root : CORPUS) {
      files.addAll(ManifestFiles.list(root));
    }
    assertThat(files).hasSizeGreaterThan(50);
    int messages = 0;
    Set<String> kinds = new TreeSet<>();
    for (int i = 0; i < files.size(); i++) {
      Path dir = Files.createDirectory(tmp.resolve("f" + i));
      Path file = dir.resolve(files.get(i).getFileName());
      Files.copy(files.get(i), file);
      Verdicts.membersFor(file);
      List<String> served = Verdicts.serve(dir);
      assertThat(Verdicts.validate(dir)).as("%s", files.get(i)).isEqualTo(served);
      messages += served.size();
      served.forEach(m -> kinds.add(m.substring(0, m.indexOf(':'))));
    }
    assertThat(messages).as("the corpus has something to say").isGreaterThan(20);
    assertThat(kinds).contains("error", "warning");
  }

  @Test
  void theReadmeRegexExampleIsServedFailClosedByBoth() throws Exception {
    Path file = tmp.resolve("catalog.yaml");
    Files.writeString(
        file,
        """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: catalog-users, namespace: istio-system}
        spec:
          selector:
            matchLabels: {app: catalog}
          action: ALLOW
          rules:
          - when:
            - key: request.regex.headers[x-user]
              values: ["(alice"]
            - values: [x]
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: deny-null, namespace: istio-system}
        spec:
          action: DENY
          rules: [{when: [null]}]
        """);
    List<String> expected =
        List.of(
            "fail closed: "
                + file
                + ":14: AuthorizationPolicy istio-system/deny-null: spec.rules[0].when[0]:"
                + " unreadable rule: empty list item",
            "fail closed: "
                + file
                + ":1: AuthorizationPolicy istio-system/catalog-users:"
                + " spec.rules[0].when[0].values[0]: request.regex.headers[x-user]: invalid RE2 regular"
                + " expression: error parsing regexp: missing closing ): `(alice`",
            "fail closed: "
                + file
                + ":1: AuthorizationPolicy istio-system/catalog-users: spec.rules[0].when[1].key:"
                + " a key is required; known keys: request.headers[NAME], request.regex.headers[NAME],"
                + " source.ip, remote.ip, source.namespace, source.principal, request.auth.principal,"
                + " request.auth.audiences, request.auth.presenter, request.auth.claims[NAME], destination.ip,"
                + " destination.port, connection.sni, experimental.envoy.filters.FILTER[KEY]",
            // No pod of the input has the label the policy selects.
            "warning: "
                + file
                + ":1: AuthorizationPolicy istio-system/catalog-users: spec.selector.matchLabels:"
                + " Warning [IST0127] No matching workloads for this resource with the following"
                + " labels: app=catalog");
    assertThat(Verdicts.serve(tmp)).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(Verdicts.validate(tmp)).containsExactlyInAnyOrderElementsOf(expected);
  }
}
