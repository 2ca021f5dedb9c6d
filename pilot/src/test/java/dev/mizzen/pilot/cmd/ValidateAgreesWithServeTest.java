package dev.mizzen.pilot.cmd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mizzen.ingest.file.DirectorySource;
import dev.mizzen.ingest.file.ManifestFiles;
import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.ConfigError;
import dev.mizzen.ingest.model.Kind;
import dev.mizzen.ingest.parse.ManifestParser;
import dev.mizzen.ingest.parse.ParseResult;
import dev.mizzen.ingest.store.ConfigStore;
import dev.mizzen.pilot.control.PushPipeline;
import dev.mizzen.pilot.control.PushStatus;
import dev.mizzen.pilot.metrics.PilotMetrics;
import dev.mizzen.pilot.push.MeshSettings;
import dev.mizzen.tenancy.MemberRollResolver;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

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
      membersFor(file);
      List<String> served = serve(dir);
      assertThat(validate(dir)).as("%s", files.get(i)).isEqualTo(served);
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
                + " destination.port, connection.sni, experimental.envoy.filters.FILTER[KEY]");
    assertThat(serve(tmp)).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(validate(tmp)).containsExactlyInAnyOrderElementsOf(expected);
  }

  /** What serving the directory reports, in validate's words. */
  private static List<String> serve(Path dir) throws Exception {
    ConfigStore store = new ConfigStore();
    try (DirectorySource source = new DirectorySource(dir, store);
        PushPipeline pipeline =
            new PushPipeline(
                store,
                new MemberRollResolver(CP, "default"),
                MeshSettings.defaults(CP),
                Clock.systemUTC(),
                Duration.ofMillis(100),
                Duration.ofSeconds(1),
                new PilotMetrics())) {
      source.start();
      PushStatus s = pipeline.push();
      List<String> out = new ArrayList<>();
      s.refused().forEach(e -> out.add("error: " + e.message()));
      s.push().authz().errors().forEach(e -> out.add("fail closed: " + e.message()));
      s.warnings().forEach(e -> out.add("warning: " + e.message()));
      return out;
    }
  }

  private static List<String> validate(Path dir) {
    StringWriter out = new StringWriter();
    CommandLine cmd = new CommandLine(new Mizzen());
    cmd.setOut(new PrintWriter(out));
    cmd.setErr(new PrintWriter(new StringWriter()));
    cmd.execute("validate", "-f", dir.toString());
    try (Stream<String> lines = out.toString().lines()) {
      return lines
          .filter(
              l ->
                  l.startsWith("error: ")
                      || l.startsWith("fail closed: ")
                      || l.startsWith("warning: "))
          .toList();
    }
  }

  /**
   * Serving follows the member roll; a file without one gets a roll (and its Namespaces) naming
   * every namespace it uses, so that both judge all of it.
   */
  private static void membersFor(Path file) throws Exception {
    List<ParseResult> results = ManifestFiles.read(new ManifestParser(), file);
    Set<String> namespaces = new TreeSet<>();
    Set<String> defined = new TreeSet<>();
    for (ParseResult r : results) {
      if (r.isServed()) {
        Config<?> c = r.config();
        if (c.kind() == Kind.SERVICE_MESH_MEMBER_ROLL
            && c.namespace().equals(CP)
            && c.name().equals("default")) {
          return;
        }
        if (c.kind() == Kind.NAMESPACE) {
          defined.add(c.name());
        }
        namespaces.add(c.kind().namespaced() ? c.namespace() : c.name());
      } else {
        ConfigError e = r.error();
        namespaces.add(e.namespace());
      }
    }
    namespaces.removeIf(ns -> ns.equals(CP) || !ns.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?"));
    StringBuilder b = new StringBuilder();
    for (String ns : namespaces) {
      if (!defined.contains(ns)) {
        b.append("apiVersion: v1\nkind: Namespace\nmetadata: {name: ")
            .append(ns)
            .append("}\n---\n");
      }
    }
    b.append(
            "apiVersion: maistra.io/v1\nkind: ServiceMeshMemberRoll\nmetadata: {name: default, namespace: ")
        .append(CP)
        .append("}\nspec: {members: [")
        .append(String.join(", ", namespaces))
        .append("]}\n");
    Files.writeString(file.resolveSibling("zz-members.yaml"), b.toString());
  }
}
