package dev.mizzen.pilot.analysis;

import java.util.List;

/** One of {@code istioctl analyze}'s checks (or one of Mizzen's own), over one push's config. */
interface Analyzer {
  /** Adds what it finds to {@code out}. */
  void analyze(AnalysisContext context, List<AnalysisMessage> out);
}
