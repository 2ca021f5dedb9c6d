package dev.mizzen.pilot.cmd;

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
import dev.mizzen.pilot.push.PushContext;
import dev.mizzen.tenancy.MemberRollResolver;
import dev.mizzen.testing.mesh.MeshYaml;
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
import picocli.CommandLine;

/** The two verdicts on a config directory: what serving it reports, and what validate prints. */
final class Verdicts {
  static final String CP = "istio-system";

  private Verdicts() {}

  /** What serving the directory reports, in validate's words. */
  static List<String> serve(Path dir) throws Exception {
    return served(dir).messages();
  }

  /** What a control plane serving a directory reports, and the push it made of it. */
  record Served(List<String> messages, PushContext push) {}

  static Served served(Path dir) throws Exception {
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
      return new Served(out, s.push());
    }
  }

  static List<String> validate(Path dir) {
    return validateRun(dir).messages();
  }

  /** What {@code mizzen validate} printed, and how it ended. */
  record Run(int exitCode, List<String> messages, String out, String err) {}

  static Run validateRun(Path dir) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cmd = new CommandLine(new Mizzen());
    cmd.setOut(new PrintWriter(out));
    cmd.setErr(new PrintWriter(err));
    int code = cmd.execute("validate", "-f", dir.toString());
    try (Stream<String> lines = out.toString().lines()) {
      List<String> messages =
          lines
              .filter(
                  l ->
                      l.startsWith("error: ")
                          || l.startsWith("fail closed: ")
                          || l.startsWith("warning: "))
              .toList();
      return new Run(code, messages, out.toString(), err.toString());
    }
  }

  /**
   * Serving follows the member roll; a file without one gets a roll (and its Namespaces) naming
   * every namespace it uses, so that both judge all of it.
   */
  static void membersFor(Path file) throws Exception {
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
        b.append(MeshYaml.namespace(ns)).append("---\n");
      }
    }
    b.append(MeshYaml.memberRoll(CP, List.copyOf(namespaces)));
    Files.writeString(file.resolveSibling("zz-members.yaml"), b.toString());
  }
}
