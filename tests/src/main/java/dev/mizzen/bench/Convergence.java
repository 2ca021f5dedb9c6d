package dev.mizzen.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How route changes reached the proxies: per affected stream and change, seconds from the change to
 * the new routes, and each change's p99. The CPU both sides spent over the changes is kept beside
 * it, since a change's time on shared cores depends on what the load generator took.
 *
 * @param seconds per stream and change, sorted
 * @param missed streams that never got a change
 * @param responsesByType what every stream was pushed meanwhile, by short type name
 * @param p99PerChange each measured change's p99
 * @param warmupP99PerChange each warm-up change's p99, from the first after the proxies connected
 * @param cpu the control plane's and the generator's CPU from each change to its last proxy, summed
 *     over the measured changes
 */
record Convergence(
    double[] seconds,
    int missed,
    Map<String, Long> responsesByType,
    double[] p99PerChange,
    double[] warmupP99PerChange,
    CpuUse cpu) {

  /** One change. */
  static Convergence of(
      double[] seconds, int missed, Map<String, Long> responsesByType, CpuUse cpu) {
    return new Convergence(
        seconds,
        missed,
        responsesByType,
        new double[] {Bench.percentile(seconds, 0.99)},
        new double[0],
        cpu);
  }

  /** The measured changes pooled; the warm-up ones only by their p99, to show the cold start. */
  static Convergence pool(List<Convergence> changes, List<Convergence> warmups) {
    double[] seconds =
        changes.stream().flatMapToDouble(c -> Arrays.stream(c.seconds())).sorted().toArray();
    int missed = changes.stream().mapToInt(Convergence::missed).sum();
    Map<String, Long> pushed = new TreeMap<>();
    changes.forEach(c -> c.responsesByType().forEach((k, v) -> pushed.merge(k, v, Long::sum)));
    double[] p99s =
        changes.stream().flatMapToDouble(c -> Arrays.stream(c.p99PerChange())).toArray();
    double[] warm =
        warmups.stream().flatMapToDouble(c -> Arrays.stream(c.p99PerChange())).toArray();
    CpuUse cpu = changes.stream().map(Convergence::cpu).reduce(CpuUse.NONE, CpuUse::plus);
    return new Convergence(seconds, missed, pushed, p99s, warm, cpu);
  }

  int changes() {
    return p99PerChange.length;
  }

  double percentile(double q) {
    return Bench.percentile(seconds, q);
  }
}
