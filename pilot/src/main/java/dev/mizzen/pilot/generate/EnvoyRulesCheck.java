package dev.mizzen.pilot.generate;

import com.google.protobuf.Message;
import dev.mizzen.envoyrules.EnvoyRules;
import dev.mizzen.envoyrules.RuleViolation;
import dev.mizzen.pilot.cache.ProxyResources;
import dev.mizzen.pilot.cache.TypeUrls;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Envoy's own validation rules (PGV) over what a group of proxies would be sent: a resource that
 * breaks one would be refused (NACKed) by every proxy of the group.
 */
public final class EnvoyRulesCheck {
  private EnvoyRulesCheck() {}

  /** The broken rules of every resource of the given types, by type URL; empty when all pass. */
  public static Map<String, List<RuleViolation>> violations(
      ProxyResources resources, Collection<String> types) {
    Map<String, List<RuleViolation>> byType = new LinkedHashMap<>();
    for (String type : TypeUrls.PUSH_ORDER) {
      if (!types.contains(type)) {
        continue;
      }
      List<RuleViolation> found = new ArrayList<>();
      for (Map.Entry<String, Message> resource : resources.of(type).entrySet()) {
        Message message = resource.getValue();
        found.addAll(
            EnvoyRules.get()
                .check(message.getDescriptorForType().getName(), resource.getKey(), message));
      }
      if (!found.isEmpty()) {
        byType.put(type, List.copyOf(found));
      }
    }
    return byType;
  }

  /** Every broken rule of every resource, one per line; empty when all pass. */
  public static List<String> problems(ProxyResources resources) {
    List<String> problems = new ArrayList<>();
    violations(resources, TypeUrls.PUSH_ORDER)
        .values()
        .forEach(v -> v.forEach(r -> problems.add(r.toString())));
    return problems;
  }
}
