package dev.mizzen.pilot.cmd;

import dev.mizzen.ingest.model.ConfigError;
import dev.mizzen.ingest.parse.ManifestParser;
import dev.mizzen.ingest.parse.ParseResult;
import dev.mizzen.ingest.store.ConfigStore;
import dev.mizzen.pilot.push.MeshSettings;
import dev.mizzen.pilot.push.PushContext;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mizzen validate -f FILE|DIR}: checks manifests offline with the validators ingest uses,
 * and the checks a push makes across objects; exits 1 when anything is refused.
 */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description = "Check manifests offline, as Mizzen would check them on ingest.")
final class ValidateCommand implements Callable<Integer> {
  /** Progress goes to stderr past this many files, every this many. */
  private static final int PROGRESS_EVERY = 200;

  @Spec CommandSpec spec;

  @Option(
      names = {"-f", "--filename"},
      required = true,
      paramLabel = "FILE|DIR",
      description = "A manifest, or a directory read recursively (*.yaml, *.yml); repeatable.")
  List<Path> inputs;

  @Option(names = "--domain", defaultValue = "cluster.local", description = "The cluster's DNS suffix.")
  String domain;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<Path> files = new ArrayList<>();
    for (Path input : inputs) {
      if (Files.isDirectory(input)) {
        try (Stream<Path> walk = Files.walk(input)) {
          walk.filter(Files::isRegularFile)
              .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
              .sorted()
              .forEach(files::add);
        }
      } else if (Files.isRegularFile(input)) {
        files.add(input);
      } else {
        err.println("error: the path \"" + input + "\" does not exist");
        return 1;
      }
    }
    ManifestParser parser = new ManifestParser();
    ConfigStore store = new ConfigStore();
    List<ParseResult> all = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      Path file = files.get(i);
      List<ParseResult> results = parser.parse(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
      store.replace(file.toString(), results);
      all.addAll(results);
      if (files.size() > PROGRESS_EVERY && (i + 1) % PROGRESS_EVERY == 0) {
        err.println("read " + (i + 1) + "/" + files.size() + " files");
        err.flush();
      }
    }
    // A duplicate is only known once every file is read.
    var snapshot = store.snapshot();
    java.util.Set<String> duplicates = new java.util.HashSet<>();
    for (ConfigError e : snapshot.errors()) {
      if (e.reason().startsWith("duplicate")) {
        duplicates.add(e.origin() + " " + e.object());
      }
    }
    int errors = 0;
    int valid = 0;
    for (ParseResult r : all) {
      if (r.isAccepted() && !duplicates.contains(r.config().origin() + " " + r.config().ref())) {
        valid++;
        var c = r.config();
        String group = c.kind().group().isEmpty() ? "" : "." + c.kind().group();
        out.println(c.kind().name().toLowerCase(Locale.ROOT) + group + "/" + c.name() + " valid");
      } else if (!r.isAccepted()) {
        errors++;
        out.println("error: " + r.error().message());
      }
    }
    for (ConfigError e : snapshot.errors()) {
      if (e.reason().startsWith("duplicate")) {
        errors++;
        out.println("error: " + e.message());
      }
    }
    PushContext push = PushContext.build(0, Instant.now(), snapshot, MeshSettings.defaults("istio-system").withDomainSuffix(domain));
    for (ConfigError w : push.warnings()) {
      out.println("warning: " + w.message());
    }
    out.println(valid + " valid, " + errors + " refused, " + push.warnings().size() + " warnings in " + files.size() + " files");
    out.flush();
    return errors > 0 ? 1 : 0;
  }
}
