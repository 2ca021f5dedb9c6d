package dev.mizzen.pilot.control;

import dev.mizzen.envoyrules.RuleViolation;
import dev.mizzen.pilot.cache.GroupSnapshot;
import dev.mizzen.pilot.cache.ProxyResources;
import dev.mizzen.pilot.cache.TypeUrls;
import dev.mizzen.pilot.generate.ConfigGenerator;
import dev.mizzen.pilot.generate.ConsistencyCheck;
import dev.mizzen.pilot.generate.EnvoyRulesCheck;
import dev.mizzen.pilot.generate.GroupKey;
import dev.mizzen.pilot.proxy.Proxy;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds groups' snapshots from the latest push: whole for a group seen for the first time (the
 * factory the cache is given), or the types a push regenerates. A snapshot whose resources do not
 * hold together is not built; the group keeps its previous one.
 */
final class GroupBuilder implements Function<GroupKey, GroupSnapshot<GroupKey>> {
  private static final Logger log = LoggerFactory.getLogger(GroupBuilder.class);

  private volatile ConfigGenerator generator;

  /** Where snapshots held back for breaking Envoy's rules are reported; null: not checked. */
  private final Rejections envoyRules;

  /**
   * @param envoyRules when not null, every regenerated resource is checked against Envoy's
   *     validation rules before it is published, and a group whose resources break one keeps its
   *     previous snapshot, reported here on the objects the resource came from
   */
  GroupBuilder(Rejections envoyRules) {
    this.envoyRules = envoyRules;
  }

  /** Builds from {@code next} from now on. */
  void use(ConfigGenerator next) {
    generator = next;
  }

  /** The generator of the latest push. */
  ConfigGenerator generator() {
    ConfigGenerator g = generator;
    if (g == null) {
      throw new IllegalStateException("no push yet");
    }
    return g;
  }

  /** The shape of a proxy in the latest push. */
  GroupKey keyOf(Proxy proxy) {
    return GroupKey.of(proxy, generator().push());
  }

  /** The first snapshot of a group, from the latest push. */
  @Override
  public GroupSnapshot<GroupKey> apply(GroupKey key) {
    return build(generator(), key, null, ConfigGenerator.ALL_TYPES);
  }

  /**
   * The group's next snapshot, or its previous one when the new resources do not hold together.
   *
   * @param types the types to regenerate; the others are the previous snapshot's, which the change
   *     cannot have affected
   */
  GroupSnapshot<GroupKey> build(
      ConfigGenerator g, GroupKey key, GroupSnapshot<GroupKey> previous, Set<String> types) {
    ProxyResources resources;
    try {
      resources = g.generate(key, types);
      if (previous != null && !types.containsAll(TypeUrls.PUSH_ORDER)) {
        resources = previous.with(resources, types);
      }
    } catch (RuntimeException e) {
      log.error("generating config for proxies {} failed; they keep their last config", key, e);
      return previous != null
          ? previous
          : GroupSnapshot.next(key, g.push().number(), g.push().version(), empty(), null);
    }
    List<String> problems = ConsistencyCheck.problems(resources);
    if (!problems.isEmpty()) {
      log.error(
          "config for proxies {} is not consistent and is not published: {}",
          key,
          String.join("; ", problems));
      return previous != null
          ? previous
          : GroupSnapshot.next(key, g.push().number(), g.push().version(), empty(), null);
    }
    if (envoyRules != null && !followsEnvoyRules(g, key, resources, types)) {
      return previous != null
          ? previous
          : GroupSnapshot.next(key, g.push().number(), g.push().version(), empty(), null);
    }
    return GroupSnapshot.next(key, g.push().number(), g.push().version(), resources, previous);
  }

  /**
   * Checks the regenerated types against Envoy's validation rules (the others were checked when
   * they were made); a type that breaks one is reported on the objects it came from.
   */
  private boolean followsEnvoyRules(
      ConfigGenerator g, GroupKey key, ProxyResources resources, Set<String> types) {
    Map<String, List<RuleViolation>> broken = EnvoyRulesCheck.violations(resources, types);
    for (String type : types) {
      List<RuleViolation> violations = broken.get(type);
      if (violations == null) {
        envoyRules.published(key.toString(), type);
      } else {
        envoyRules.held(
            key.toString(), key.namespace(), type, g.push().version(), violations, g.push());
      }
    }
    return broken.isEmpty();
  }

  private static ProxyResources empty() {
    return new ProxyResources(Map.of(), Map.of());
  }
}
