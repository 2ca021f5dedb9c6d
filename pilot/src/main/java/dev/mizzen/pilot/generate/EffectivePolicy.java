package dev.mizzen.pilot.generate;

import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.DestinationRuleSpec;
import dev.mizzen.ingest.model.DestinationRuleSpec.TrafficPolicy;
import dev.mizzen.pilot.push.PushContext;
import java.util.List;
import java.util.Optional;

/**
 * The traffic policy in force for one port of one subset, as Istio merges it: the rule's policy,
 * overridden by its settings for the port, then by the subset's policy and the subset's settings
 * for the port, part by part.
 */
final class EffectivePolicy {
  private static final TrafficPolicy NONE = new TrafficPolicy(null, null, null, null, List.of());

  private EffectivePolicy() {}

  static TrafficPolicy of(Optional<Config<DestinationRuleSpec>> dr, String subset, int port) {
    if (dr.isEmpty()) {
      return NONE;
    }
    DestinationRuleSpec spec = dr.get().spec();
    TrafficPolicy top = spec.trafficPolicy() == null ? NONE : spec.trafficPolicy().forPort(port);
    if (subset.isEmpty()) {
      return top;
    }
    Optional<DestinationRuleSpec.Subset> s = spec.subset(subset);
    if (s.isEmpty() || s.get().trafficPolicy() == null) {
      return top;
    }
    return top.overriddenBy(s.get().trafficPolicy().forPort(port));
  }

  static TrafficPolicy of(PushContext push, String host, String subset, int port, String viewer) {
    return of(push.destinationRule(host, viewer), subset, port);
  }
}
