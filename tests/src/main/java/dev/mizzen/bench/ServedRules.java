package dev.mizzen.bench;

import com.google.protobuf.Any;
import dev.mizzen.envoyrules.EnvoyRules;
import dev.mizzen.envoyrules.RuleViolation;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/** Every resource the streams are served, checked against Envoy's own validation rules (PGV). */
final class ServedRules {
  private final Set<String> violations = ConcurrentHashMap.newKeySet();

  void check(DiscoveryResponse r) {
    for (Any resource : r.getResourcesList()) {
      check(resource);
    }
  }

  /** Every resource of an incremental response, each as the {@code Any} its wrapper holds. */
  void check(DeltaDiscoveryResponse r) {
    for (Resource resource : r.getResourcesList()) {
      check(resource.getResource());
    }
  }

  private void check(Any resource) {
    for (RuleViolation v : EnvoyRules.get().checkPacked(resource)) {
      violations.add(v.toString());
    }
  }

  /** The distinct violations seen, sorted; empty when every resource passed. */
  List<String> violations() {
    return List.copyOf(new TreeSet<>(violations));
  }
}
