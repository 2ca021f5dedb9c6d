package dev.mizzen.pilot.cmd;

import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.ConfigError;
import dev.mizzen.ingest.parse.ParseResult;
import dev.mizzen.ingest.store.ConfigSnapshot;
import dev.mizzen.pilot.control.Verdict;
import dev.mizzen.pilot.push.MeshSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mizzen validate -f FILE|DIR}: reads manifests as the directory source reads them and
 * judges them with the code a push runs ({@link Verdict}), so that it reports what a serving
 * control plane reports: objects refused, served fail closed, served with a warning. Exits 1 when
 * anything is refused or served fail closed.
 */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description = "Check manifests offline, as Mizzen would check them on ingest.")
final class ValidateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = {"-f", "--filename"},
      required = true,
      paramLabel = "FILE|DIR",
      description = "A manifest, or a directory read recursively (*.yaml, *.yml); repeatable.")
  List<Path> inputs;

  @Mixin OfflineMesh mesh;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Manifests manifests;
    try {
      manifests = Manifests.read(inputs, err);
    } catch (NoSuchFileException e) {
      err.println("error: the path \"" + e.getFile() + "\" does not exist");
      return 1;
    }
    List<ParseResult> all = manifests.results();
    List<Path> files = manifests.files();
    ConfigSnapshot snapshot = manifests.snapshot();
    MeshSettings settings = mesh.settings();
    Verdict verdict =
        Verdict.of(
            snapshot,
            manifests.membership(mesh.controlPlaneNamespace, mesh.memberRollName),
            settings,
            0,
            Instant.now());
    int valid = 0;
    for (ParseResult r : all) {
      // Accepted as written, not a duplicate, and in a member namespace: served as it is.
      if (r.isAccepted() && isServed(verdict.members(), r.config())) {
        valid++;
        Config<?> c = r.config();
        String group = c.kind().group().isEmpty() ? "" : "." + c.kind().group();
        out.println(c.kind().name().toLowerCase(Locale.ROOT) + group + "/" + c.name() + " valid");
      }
    }
    print(out, "error: ", verdict.refused());
    print(out, "fail closed: ", verdict.failClosed());
    print(out, "warning: ", verdict.warnings());
    if (verdict.ignored() > 0) {
      out.println(
          verdict.ignored()
              + " objects ignored: their namespaces are not members of ServiceMeshMemberRoll "
              + mesh.controlPlaneNamespace
              + "/"
              + mesh.memberRollName);
    }
    out.println(
        valid
            + " valid, "
            + verdict.refused().size()
            + " refused, "
            + verdict.failClosed().size()
            + " served fail closed, "
            + verdict.warnings().size()
            + " warnings in "
            + files.size()
            + " files");
    out.flush();
    return verdict.refused().isEmpty() && verdict.failClosed().isEmpty() ? 0 : 1;
  }

  private static boolean isServed(ConfigSnapshot members, Config<?> c) {
    return members.get(c.kind(), c.namespace(), c.name()).orElse(null) == c;
  }

  private static void print(PrintWriter out, String prefix, List<ConfigError> errors) {
    for (ConfigError e : errors) {
      out.println(prefix + e.message());
    }
  }
}
