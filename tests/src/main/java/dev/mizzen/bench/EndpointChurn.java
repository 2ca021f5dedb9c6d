package dev.mizzen.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Endpoint churn with every proxy connected, as a rolling restart makes it: pods of random services
 * replaced (a new IP, the same labels) at a steady rate, then a burst at once, as when a node
 * fails. Kept apart from the run that connects the proxies, which only hands it the streams.
 */
final class EndpointChurn {
  private final RunSettings settings;

  EndpointChurn(RunSettings settings) {
    this.settings = settings;
  }

  /**
   * Replaces pods of random services, steadily at {@code --churn-rate} a second for {@code
   * --churn-seconds}, then {@code --churn-burst} at once; measures when every proxy holds each new
   * assignment, what was sent for it, and the CPU both sides spent.
   */
  List<Churn.Result> run(Streams streams, MeshGenerator mesh, Path meshDir, long pid)
      throws Exception {
    Churn churn = new Churn();
    streams.fast().forEach(s -> s.watch(churn));
    Random random = new Random(42);
    List<Churn.Result> results = new ArrayList<>();
    long period = TimeUnit.SECONDS.toNanos(1) / Math.max(1, settings.churnRate());
    int steady = settings.churnSeconds() * settings.churnRate();
    Bench.log(
        "churn: %d pods replaced at %d a second, then %d at once",
        steady, settings.churnRate(), settings.churnBurst());
    results.add(
        churnPhase(
            "steady",
            streams,
            churn,
            pid,
            () -> {
              long start = System.nanoTime();
              for (int i = 0; i < steady; i++) {
                long wait = start + i * period - System.nanoTime();
                if (wait > 0) {
                  TimeUnit.NANOSECONDS.sleep(wait);
                }
                replaceOne(streams, mesh, meshDir, churn, random);
              }
              return null;
            }));
    results.add(
        churnPhase(
            "burst",
            streams,
            churn,
            pid,
            () -> {
              for (int i = 0; i < settings.churnBurst(); i++) {
                replaceOne(streams, mesh, meshDir, churn, random);
              }
              return null;
            }));
    streams.fast().forEach(s -> s.watch(null));
    results.forEach(r -> System.err.print("bench: " + r.table()));
    return results;
  }

  private static void replaceOne(
      Streams streams, MeshGenerator mesh, Path meshDir, Churn churn, Random random)
      throws IOException {
    int s;
    do {
      s = random.nextInt(mesh.services());
    } while (churn.busy(mesh.host(s)));
    int p = random.nextInt(mesh.pods());
    String ip = mesh.replacePod(s, p);
    String cluster = "outbound|8080||" + mesh.host(s);
    int expected = (int) streams.fast().stream().filter(st -> st.asksFor(cluster)).count();
    churn.expect(mesh.host(s), ip, List.of(p % 2 == 0 ? "v1" : "v2"), expected);
    mesh.writeEndpoints(meshDir, s);
  }

  private Churn.Result churnPhase(
      String name, Streams streams, Churn churn, long pid, Callable<Void> replace)
      throws Exception {
    churn.reset();
    Map<String, Long> before = streams.responses();
    long edsBefore = streams.fast().stream().mapToLong(ProxyStream::edsBytes).sum();
    long assignmentsBefore = streams.fast().stream().mapToLong(ProxyStream::edsResources).sum();
    ProcessStats mizzenBefore = ProcessStats.of(pid);
    ProcessStats generatorBefore = ProcessStats.of(ProcessHandle.current().pid());
    long start = System.nanoTime();
    replace.call();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(settings.timeoutSeconds());
    while (System.nanoTime() < deadline && !churn.changes().stream().allMatch(Churn.Change::done)) {
      Thread.sleep(50);
    }
    double wall = (System.nanoTime() - start) / 1e9;
    ProcessStats mizzenAfter = ProcessStats.of(pid);
    ProcessStats generatorAfter = ProcessStats.of(ProcessHandle.current().pid());
    Thread.sleep(500);
    long eds = streams.fast().stream().mapToLong(ProxyStream::edsBytes).sum() - edsBefore;
    long assignments =
        streams.fast().stream().mapToLong(ProxyStream::edsResources).sum() - assignmentsBefore;
    double proxyChanges = changesSeen(churn);
    Map<String, Long> after = streams.responses();
    long other = 0;
    for (var e : after.entrySet()) {
      if (!e.getKey().equals(ProxyStream.EDS)) {
        other += e.getValue() - before.getOrDefault(e.getKey(), 0L);
      }
    }
    List<Churn.Change> changes = churn.changes();
    double[] seconds =
        changes.stream()
            .filter(Churn.Change::done)
            .mapToDouble(Churn.Change::seconds)
            .sorted()
            .toArray();
    double ideal =
        changes.stream()
            .mapToDouble(
                c ->
                    (Math.max(0, c.changedBytes.get()) + Math.max(0, c.subsetBytes.get()))
                        * (double) c.expected)
            .average()
            .orElse(Double.NaN);
    return new Churn.Result(
        name,
        changes.size(),
        seconds,
        (int) changes.stream().filter(c -> !c.done()).count(),
        changes.isEmpty() ? Double.NaN : (double) eds / changes.size(),
        ideal,
        proxyChanges == 0 ? Double.NaN : assignments / proxyChanges,
        other,
        (mizzenAfter.cpuSeconds() - mizzenBefore.cpuSeconds()) / wall,
        (generatorAfter.cpuSeconds() - generatorBefore.cpuSeconds()) / wall);
  }

  /** Changes times the proxies that see them. */
  private static double changesSeen(Churn churn) {
    return churn.changes().stream().mapToDouble(c -> c.expected).sum();
  }
}
