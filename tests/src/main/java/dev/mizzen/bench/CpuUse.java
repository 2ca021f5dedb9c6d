package dev.mizzen.bench;

import java.io.IOException;

/**
 * The CPU the control plane and the load generator spent over one window of wall time. Both run on
 * the same cores, so a figure of the control plane means little without the generator's beside it:
 * when the generator takes most of the cores, it is the limit, not the control plane.
 *
 * @param controlPlaneSeconds CPU seconds (user and system) of the control plane's process
 * @param generatorSeconds CPU seconds of this process, which runs the streams
 * @param wallSeconds the window's length
 */
record CpuUse(double controlPlaneSeconds, double generatorSeconds, double wallSeconds) {
  static final CpuUse NONE = new CpuUse(0, 0, 0);

  double controlPlaneCores() {
    return wallSeconds <= 0 ? Double.NaN : controlPlaneSeconds / wallSeconds;
  }

  double generatorCores() {
    return wallSeconds <= 0 ? Double.NaN : generatorSeconds / wallSeconds;
  }

  /** Two windows together, as if one: seconds add up. */
  CpuUse plus(CpuUse o) {
    return new CpuUse(
        controlPlaneSeconds + o.controlPlaneSeconds,
        generatorSeconds + o.generatorSeconds,
        wallSeconds + o.wallSeconds);
  }

  /** Opens a window over the control plane {@code pid} and this process. */
  static Window start(long pid) throws IOException {
    return new Window(
        pid,
        ProcessStats.of(pid).cpuSeconds(),
        ProcessStats.of(ProcessHandle.current().pid()).cpuSeconds(),
        System.nanoTime());
  }

  /** A window opened and not yet closed. */
  record Window(long pid, double controlPlaneStart, double generatorStart, long startNanos) {
    CpuUse stop() throws IOException {
      long end = System.nanoTime();
      return new CpuUse(
          ProcessStats.of(pid).cpuSeconds() - controlPlaneStart,
          ProcessStats.of(ProcessHandle.current().pid()).cpuSeconds() - generatorStart,
          (end - startNanos) / 1e9);
    }
  }
}
