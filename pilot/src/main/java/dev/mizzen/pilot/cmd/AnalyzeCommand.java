package dev.mizzen.pilot.cmd;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.mizzen.pilot.analysis.Analysis;
import dev.mizzen.pilot.analysis.AnalysisMessage;
import dev.mizzen.pilot.analysis.Level;
import dev.mizzen.pilot.control.Verdict;
import dev.mizzen.pilot.push.MeshSettings;
import dev.mizzen.tenancy.Membership;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mizzen analyze -f DIR}: the analysis a serving control plane runs on every push, run
 * offline on manifests, printed as {@code istioctl analyze} prints it. Exits 0 when nothing was
 * found (or only Info), 1 when the worst is a warning, 2 when there is an error (and when an input
 * does not exist).
 */
@Command(
    name = "analyze",
    mixinStandardHelpOptions = true,
    description =
        "Analyze manifests offline as a serving control plane analyzes its members' config, and"
            + " print what istioctl analyze would (exit 0: nothing, 1: warnings, 2: errors).")
final class AnalyzeCommand implements Callable<Integer> {
  static final int WARNINGS = 1;
  static final int ERRORS = 2;

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @Spec CommandSpec spec;

  @Option(
      names = {"-f", "--filename"},
      required = true,
      paramLabel = "FILE|DIR",
      description = "A manifest, or a directory read recursively (*.yaml, *.yml); repeatable.")
  List<Path> inputs;

  @Option(
      names = {"-o", "--output"},
      defaultValue = "log",
      paramLabel = "log|json",
      description = "log: one line per message, as istioctl prints them; json: a list of objects.")
  String output;

  @Mixin OfflineMesh mesh;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!output.equals("log") && !output.equals("json")) {
      err.println("error: --output must be log or json, not \"" + output + "\"");
      return ERRORS;
    }
    Manifests manifests;
    try {
      manifests = Manifests.read(inputs, err);
    } catch (NoSuchFileException e) {
      err.println("error: the path \"" + e.getFile() + "\" does not exist");
      return ERRORS;
    }
    MeshSettings settings = mesh.settings();
    Membership membership = manifests.membership(mesh.controlPlaneNamespace, mesh.memberRollName);
    Verdict verdict = Verdict.of(manifests.snapshot(), membership, settings, 0, Instant.now());
    Analysis analysis = verdict.analysis();
    List<AnalysisMessage> shown = deduplicated(analysis.messages());
    if (output.equals("json")) {
      List<Object> list = new ArrayList<>();
      shown.forEach(m -> list.add(m.json()));
      out.println(JSON.writeValueAsString(list));
    } else {
      shown.forEach(m -> out.println(m.line()));
    }
    String scope =
        manifests.files().size()
            + (manifests.files().size() == 1 ? " file" : " files")
            + " (namespaces "
            + String.join(", ", membership.namespaces())
            + ")";
    if (verdict.ignored() > 0) {
      err.println(
          verdict.ignored()
              + " objects not analyzed: their namespaces are not members of"
              + " ServiceMeshMemberRoll "
              + mesh.controlPlaneNamespace
              + "/"
              + mesh.memberRollName);
    }
    Level worst = analysis.worst().orElse(null);
    if (worst == null || worst == Level.INFO) {
      if (shown.isEmpty() && output.equals("log")) {
        out.println("No validation issues found when analyzing " + scope + ".");
      }
      out.flush();
      err.flush();
      return 0;
    }
    err.println(
        "Error: Analyzers found issues when analyzing "
            + scope
            + ".\nSee https://istio.io/latest/docs/reference/config/analysis for more information"
            + " about causes and resolutions (MZ codes: the README's Analysis section).");
    out.flush();
    err.flush();
    return worst == Level.ERROR ? ERRORS : WARNINGS;
  }

  /** One message per printed line, as istioctl prints the same line once. */
  private static List<AnalysisMessage> deduplicated(List<AnalysisMessage> messages) {
    Set<String> seen = new LinkedHashSet<>();
    List<AnalysisMessage> out = new ArrayList<>();
    for (AnalysisMessage m : messages) {
      if (seen.add(m.line())) {
        out.add(m);
      }
    }
    return out;
  }
}
