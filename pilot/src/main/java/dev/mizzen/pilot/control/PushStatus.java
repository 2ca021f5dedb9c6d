package dev.mizzen.pilot.control;

import dev.mizzen.ingest.model.ConfigError;
import dev.mizzen.ingest.store.ConfigSnapshot;
import dev.mizzen.pilot.analysis.Analysis;
import dev.mizzen.pilot.push.PushContext;
import dev.mizzen.tenancy.Membership;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The outcome of the last push, for debug endpoints and the start-up report.
 *
 * @param push the push context, with the member namespaces' config
 * @param analysis what the analyzers found in it
 * @param membership who the members were
 * @param refused objects refused in member namespaces (and files with no namespace)
 * @param ignored how many objects were left out because their namespace is not a member
 * @param at when the push started
 * @param took how long it took
 * @param groups how many proxy groups were pushed
 * @param failedGroups how many groups kept their last snapshot because the new one was unsound
 * @param waited how long its first change waited for it (the debounce)
 * @param generated per type ("cluster", "listener", ...), how many groups it was generated for; a
 *     type a change cannot affect is not generated at all
 */
public record PushStatus(
    PushContext push,
    Analysis analysis,
    Membership membership,
    List<ConfigError> refused,
    int ignored,
    Instant at,
    Duration took,
    int groups,
    int failedGroups,
    Duration waited,
    Map<String, Integer> generated) {

  public PushStatus {
    refused = List.copyOf(refused);
    generated = Map.copyOf(generated);
  }

  public ConfigSnapshot config() {
    return push.config();
  }

  /** The push's warnings, then the analysis' errors and warnings. */
  public List<ConfigError> warnings() {
    return Verdict.warnings(push, analysis);
  }
}
