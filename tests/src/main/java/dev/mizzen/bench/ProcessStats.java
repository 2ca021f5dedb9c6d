package dev.mizzen.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What Linux says of a process: peak and current resident memory, CPU time. */
record ProcessStats(long peakRssBytes, long rssBytes, double cpuSeconds) {
  private static final double CLOCK_TICKS = 100.0;

  static ProcessStats of(long pid) throws IOException {
    long hwm = 0;
    long rss = 0;
    for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
      if (line.startsWith("VmHWM:")) {
        hwm = kib(line);
      } else if (line.startsWith("VmRSS:")) {
        rss = kib(line);
      }
    }
    String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
    // Fields after the command name (which may hold spaces) start after the last ')'.
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    double cpu = (Long.parseLong(f[11]) + Long.parseLong(f[12])) / CLOCK_TICKS;
    return new ProcessStats(hwm, rss, cpu);
  }

  /**
   * The process's proportional set size: its resident pages, each page shared with other processes
   * (a class-data-sharing archive, the JDK's libraries) divided among those that map it.
   */
  static long pssBytes(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "smaps_rollup"))) {
      if (line.startsWith("Pss:")) {
        return kib(line);
      }
    }
    throw new IOException("no Pss in /proc/" + pid + "/smaps_rollup");
  }

  private static long kib(String line) {
    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
  }
}
