package dev.mizzen.bench;

import java.nio.file.Path;

/**
 * What one measurement of a control plane is run with. The regular benchmark and the curve both
 * build one, so that a curve's point is measured by the very code the benchmark's report is.
 *
 * @param proxies streams opened, the slow readers among them
 * @param warmupChanges route changes made first and not pooled (at least one is made)
 * @param changes route changes measured and pooled
 * @param churnSeconds seconds of steady endpoint churn in the unscoped run; 0 for none
 * @param rules where every response is checked against Envoy's rules, or null
 * @param delta whether Mizzen's streams speak incremental (delta) ADS; the library's speak state of
 *     the world whatever this says
 */
record RunSettings(
    int services,
    int namespaces,
    int pods,
    int proxies,
    int slowReaders,
    String javaOpts,
    String baselineJavaOpts,
    int warmupChanges,
    int changes,
    int timeoutSeconds,
    int churnSeconds,
    int churnRate,
    int churnBurst,
    Path out,
    ServedRules rules,
    boolean delta) {
  /** "delta" or "sotw": the protocol Mizzen's streams speak. */
  String protocol() {
    return delta ? "delta" : "sotw";
  }
}
