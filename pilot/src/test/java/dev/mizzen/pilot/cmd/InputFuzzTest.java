package dev.mizzen.pilot.cmd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mizzen.pilot.generate.ConfigGenerator;
import dev.mizzen.pilot.generate.EnvoyRulesCheck;
import dev.mizzen.pilot.generate.GoldenProxies;
import dev.mizzen.pilot.generate.GroupKey;
import dev.mizzen.pilot.proxy.Proxy;
import dev.mizzen.pilot.push.PushContext;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutated manifests (at least 1,000 a run, {@code -Dfuzz.cases}), each a golden input with one
 * document made wrong by {@link ManifestMutator}, judged as a directory Mizzen serves and as a file
 * {@code mizzen validate} reads. For every one: the two verdicts are the same messages; nothing
 * escapes as an exception or an internal error, and nothing hangs; every refusal names where it is
 * (file and line) and what (object or field) and why; no document left as it was loses its verdict
 * (what was accepted stays accepted); and what is accepted is generated into resources that keep
 * Envoy's validation rules for every proxy the input names, and that grpc-java's client accepts for
 * every proxyless one. The seed is printed; {@code -Dfuzz.seed} repeats a run.
 */
class InputFuzzTest {
  private static final int CASES = Integer.getInteger("fuzz.cases", 1000);
  private static final long SEED = Long.getLong("fuzz.seed", System.nanoTime());
  private static final Path GOLDEN = Path.of("src/test/resources/golden");
  private static final Pattern PROXIES = Pattern.compile("^# proxies:(.*)$", Pattern.MULTILINE);
  static final Pattern KIND = Pattern.compile("^kind: (\\S+)", Pattern.MULTILINE);

  /** {@code error: FILE:LINE: WHAT: REASON}, WHAT naming the object, a field or the document. */
  private static final Pattern MESSAGE =
      Pattern.compile("^(error|fail closed|warning): (\\S+):(\\d+): (.+): (.+)$", Pattern.DOTALL);

  @TempDir Path tmp;

  /** A golden input, split into its documents. */
  record Golden(String name, List<String> documents, List<String> proxies) {}

  @Test
  void mutatedManifestsAreRefusedWithWhereAndWhyOrServedValid() throws Exception {
    System.out.printf(
        "input fuzzing: seed %d (repeat with -Dfuzz.seed=%d), %d documents%n", SEED, SEED, CASES);
    List<Golden> corpus = corpus();
    Map<String, Set<String>> baseline = new TreeMap<>();
    for (Golden g : corpus) {
      Path dir = Files.createDirectories(tmp.resolve("baseline-" + g.name()));
      List<int[]> spans = write(dir, g, -1, null);
      baseline.put(g.name(), normalized(Verdicts.serve(dir), spans));
    }

    Random random = new Random(SEED);
    ManifestMutator mutator = new ManifestMutator(random);
    Map<String, Integer> outcomes = new TreeMap<>();
    Map<String, Integer> mutations = new TreeMap<>();
    List<String> failures = new ArrayList<>();
    // Cases are made one after another (so a seed gives the same ones) and judged two at a time.
    ExecutorService runner = Executors.newFixedThreadPool(2);
    java.util.ArrayDeque<Case> inFlight = new java.util.ArrayDeque<>();
    try {
      for (int i = 0; i < CASES; i++) {
        Golden g = corpus.get(random.nextInt(corpus.size()));
        int d = mutable(g, random);
        ManifestMutator.Mutation m = mutator.mutate(g.documents().get(d));
        mutations.merge(m.kind().replaceAll("-\\d+$", ""), 1, Integer::sum);
        Path dir = Files.createDirectories(tmp.resolve("case-" + i));
        List<int[]> spans = write(dir, g, d, m.document());
        String what = "case " + i + " (" + g.name() + ", document " + d + ", " + m + ")";
        inFlight.add(
            new Case(what, dir, runner.submit(() -> judge(dir, g, d, spans, baseline, m))));
        if (inFlight.size() >= 4) {
          settle(inFlight.poll(), outcomes, failures);
        }
      }
      while (!inFlight.isEmpty()) {
        settle(inFlight.poll(), outcomes, failures);
      }
    } finally {
      runner.shutdownNow();
    }
    System.out.printf("input fuzzing: mutations %s%n", mutations);
    System.out.printf("input fuzzing: outcomes %s%n", outcomes);
    assertThat(failures).as("seed %d", SEED).isEmpty();
    assertThat(outcomes.getOrDefault("refused", 0)).isGreaterThan(CASES / 10);
    assertThat(outcomes.getOrDefault("accepted", 0)).isGreaterThan(CASES / 20);
  }

  private record Case(String what, Path dir, Future<String> verdict) {}

  /** Waits for a case's verdict (at most a minute) and counts it. */
  private static void settle(Case c, Map<String, Integer> outcomes, List<String> failures)
      throws Exception {
    String outcome;
    try {
      outcome = c.verdict().get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      c.verdict().cancel(true);
      outcome = "FAILED: no verdict within 60 s";
    } catch (java.util.concurrent.ExecutionException e) {
      outcome = "FAILED: " + e.getCause();
    }
    if (outcome.startsWith("FAILED")) {
      failures.add(c.what() + ": " + outcome);
      outcome = "failed";
    } else {
      deleteTree(c.dir());
    }
    outcomes.merge(outcome, 1, Integer::sum);
  }

  /** Judges one case; returns its outcome, or "FAILED: why". */
  private static String judge(
      Path dir,
      Golden g,
      int mutated,
      List<int[]> spans,
      Map<String, Set<String>> baseline,
      ManifestMutator.Mutation m)
      throws Exception {
    Verdicts.Served served = Verdicts.served(dir);
    Verdicts.Run validated = Verdicts.validateRun(dir);
    if (!validated.messages().equals(served.messages())) {
      return "FAILED: validate and serve disagree:\n  validate: "
          + validated.messages()
          + "\n  serve:    "
          + served.messages();
    }
    if (validated.err().contains("Exception") || validated.err().contains("\tat ")) {
      return "FAILED: validate printed a stack trace: " + validated.err();
    }
    for (String message : served.messages()) {
      if (message.contains("internal error")) {
        return "FAILED: " + message;
      }
      Matcher mm = MESSAGE.matcher(message);
      if (!mm.matches()) {
        return "FAILED: a message that does not say where, what and why: " + message;
      }
    }
    // Documents left as they were keep their verdict.
    Set<String> before = baseline.get(g.name());
    Set<String> verdicts = normalized(served.messages(), spans);
    for (String message : verdicts) {
      if (message.startsWith("doc " + mutated + ": ")
          || message.contains(": warning: ")
          || before.contains(message)) {
        continue;
      }
      return "FAILED: a document left as it was is judged otherwise: " + message;
    }
    // What is accepted is generated valid for Envoy, for every proxy the input names.
    PushContext push = served.push();
    ConfigGenerator generator = new ConfigGenerator(push);
    for (String spec : g.proxies()) {
      Proxy proxy;
      try {
        proxy = GoldenProxies.of(spec, push);
      } catch (IllegalArgumentException e) {
        continue;
      }
      List<String> problems =
          EnvoyRulesCheck.problems(generator.generate(GroupKey.of(proxy, push)));
      if (!problems.isEmpty()) {
        return "FAILED: served to " + spec + " against Envoy's rules: " + problems;
      }
    }
    boolean refused = verdicts.stream().anyMatch(s -> s.startsWith("doc " + mutated + ": error"));
    boolean failClosed =
        verdicts.stream().anyMatch(s -> s.startsWith("doc " + mutated + ": fail closed"));
    return refused ? "refused" : failClosed ? "fail closed" : "accepted";
  }

  // ---- the corpus ----

  /** Every golden input, split into its documents. */
  static List<Golden> corpus() throws Exception {
    List<Golden> corpus = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(GOLDEN)) {
      for (Path dir : dirs.sorted().toList()) {
        String input = Files.readString(dir.resolve("input.yaml"));
        Matcher p = PROXIES.matcher(input);
        List<String> proxies = p.find() ? List.of(p.group(1).trim().split("\\s+")) : List.of();
        String[] parts = input.split("(?m)^---\\s*$\\n?");
        // The comment lines before the first document stay with it.
        List<String> docs = new ArrayList<>();
        for (String part : parts) {
          if (!part.isBlank()) {
            docs.add(part.endsWith("\n") ? part : part + "\n");
          }
        }
        corpus.add(new Golden(dir.getFileName().toString(), docs, proxies));
      }
    }
    assertThat(corpus).hasSizeGreaterThan(10);
    return corpus;
  }

  /** A document that is neither the member roll nor a Namespace, so the mesh stays the same. */
  private static int mutable(Golden g, Random random) {
    List<Integer> candidates = new ArrayList<>();
    for (int i = 0; i < g.documents().size(); i++) {
      Matcher k = KIND.matcher(g.documents().get(i));
      String kind = k.find() ? k.group(1) : "";
      if (!kind.equals("ServiceMeshMemberRoll") && !kind.equals("Namespace")) {
        candidates.add(i);
      }
    }
    return candidates.get(random.nextInt(candidates.size()));
  }

  /**
   * Writes the input with document {@code mutated} replaced by {@code replacement}; returns each
   * document's first and last line.
   */
  private static List<int[]> write(Path dir, Golden g, int mutated, byte[] replacement)
      throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    List<int[]> spans = new ArrayList<>();
    int line = 1;
    for (int i = 0; i < g.documents().size(); i++) {
      if (i > 0) {
        out.write("---\n".getBytes(StandardCharsets.UTF_8));
        line++;
      }
      byte[] doc =
          i == mutated ? replacement : g.documents().get(i).getBytes(StandardCharsets.UTF_8);
      int lines = 0;
      for (byte b : doc) {
        if (b == '\n') {
          lines++;
        }
      }
      if (doc.length > 0 && doc[doc.length - 1] != '\n') {
        out.write(doc);
        out.write('\n');
        lines++;
      } else {
        out.write(doc);
      }
      spans.add(new int[] {line, line + lines - 1});
      line += lines;
    }
    Files.write(dir.resolve("input.yaml"), out.toByteArray());
    return spans;
  }

  /** Messages with their file and line replaced by the number of the document they are in. */
  private static Set<String> normalized(List<String> messages, List<int[]> spans) {
    Set<String> out = new TreeSet<>();
    for (String message : messages) {
      Matcher m = MESSAGE.matcher(message);
      if (!m.matches()) {
        out.add(message);
        continue;
      }
      int line = Integer.parseInt(m.group(3));
      int doc = -1;
      for (int i = 0; i < spans.size(); i++) {
        if (line >= spans.get(i)[0] && line <= spans.get(i)[1]) {
          doc = i;
        }
      }
      out.add("doc " + doc + ": " + m.group(1) + ": " + m.group(4) + ": " + m.group(5));
    }
    return out;
  }

  private static void deleteTree(Path dir) throws Exception {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
