package dev.mizzen.bench;

import java.util.Arrays;

/**
 * What one control plane did for one set of streams.
 *
 * @param name "mizzen" or "java-control-plane"
 * @param proxies streams that became ready
 * @param allReadySeconds time until every stream had acknowledged every type
 * @param readySeconds per stream, sorted
 * @param bytes bytes of responses received by all streams
 * @param stats the control plane process' memory and CPU
 * @param heapBytes heap in use, when known (else -1)
 * @param cpu the control plane's and the load generator's CPU from opening the first stream to the
 *     last one ready
 */
record Phase(
    String name,
    int proxies,
    double allReadySeconds,
    double[] readySeconds,
    long bytes,
    ProcessStats stats,
    long heapBytes,
    CpuUse cpu) {

  double percentile(double q) {
    return Bench.percentile(readySeconds, q);
  }

  /** The same phase with the process's memory and CPU taken again, later. */
  Phase withStats(ProcessStats later) {
    return new Phase(name, proxies, allReadySeconds, readySeconds, bytes, later, heapBytes, cpu);
  }

  @Override
  public String toString() {
    return name + " " + proxies + " " + allReadySeconds + " " + Arrays.toString(readySeconds);
  }
}
