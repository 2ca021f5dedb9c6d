package dev.mizzen.pilot.control;

import com.google.protobuf.Message;
import dev.mizzen.envoyrules.RuleViolation;
import dev.mizzen.ingest.model.SecretRef;
import dev.mizzen.pilot.cache.GroupSnapshot;
import dev.mizzen.pilot.cache.ProxyResources;
import dev.mizzen.pilot.cache.TypeUrls;
import dev.mizzen.pilot.generate.ConfigGenerator;
import dev.mizzen.pilot.generate.ConsistencyCheck;
import dev.mizzen.pilot.generate.CredentialSecrets;
import dev.mizzen.pilot.generate.EnvoyRulesCheck;
import dev.mizzen.pilot.generate.GroupKey;
import dev.mizzen.pilot.proxy.Proxy;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Consumer;
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

  /** What the watched Secrets held when the latest push began. */
  private volatile Map<SecretRef, Map<String, String>> secretData = Map.of();

  /** The Secrets each group's config names, read for it or to be read. */
  private final ConcurrentMap<GroupKey, Set<SecretRef>> secretsRead = new ConcurrentHashMap<>();

  /** Told the Secrets all groups name together, whenever that changes. */
  private volatile Consumer<Set<SecretRef>> secretsNamed = s -> {};

  /** Told why a secret a group names is not served. */
  private volatile Consumer<String> secretProblems = p -> {};

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

  /**
   * Builds from {@code next} from now on, and serves what {@code secrets} hold.
   *
   * @param secrets the watched Secrets' data by key (base64), as the push began
   */
  void use(ConfigGenerator next, Map<SecretRef, Map<String, String>> secrets) {
    generator = next;
    secretData = secrets;
  }

  /**
   * Where to say which Secrets the groups' config names (to be watched), and why a secret it names
   * is not served.
   */
  void onSecrets(Consumer<Set<SecretRef>> named, Consumer<String> problems) {
    this.secretsNamed = named;
    this.secretProblems = problems;
  }

  /** Forgets the Secrets named by groups that are gone. */
  void retainGroups(Set<GroupKey> live) {
    // Under the map's lock, so that what is told is never older than what was told before.
    synchronized (secretsRead) {
      if (secretsRead.keySet().retainAll(live)) {
        secretsNamed.accept(named());
      }
    }
  }

  private Set<SecretRef> named() {
    Set<SecretRef> all = new TreeSet<>();
    secretsRead.values().forEach(all::addAll);
    return all;
  }

  private void read(GroupKey key, Set<SecretRef> refs) {
    synchronized (secretsRead) {
      Set<SecretRef> before = refs.isEmpty() ? secretsRead.remove(key) : secretsRead.put(key, refs);
      if (!refs.equals(before == null ? Set.of() : before)) {
        secretsNamed.accept(named());
      }
    }
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
      // A group that proved nothing is served no secrets: its listeners and clusters are read
      // for the names it asks for only when that is to be logged.
      if (types.contains(TypeUrls.SECRET) && (key.secrets() || log.isDebugEnabled())) {
        CredentialSecrets.Served served = CredentialSecrets.serve(key, resources, secretData);
        resources = resources.with(TypeUrls.SECRET, served.secrets());
        read(key, served.read());
        served.problems().forEach(secretProblems);
        if (!served.unproven().isEmpty()) {
          log.debug(
              "proxies {} are not served {}: they did not prove an identity that may read the"
                  + " Secrets of namespace {}",
              key,
              served.unproven(),
              key.namespace());
        }
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
   * The group's next snapshot for a push that changed only the endpoints of {@code hosts}: their
   * clusters and load assignments regenerated and laid over the previous ones, everything else kept
   * as it is. The names cannot change with endpoints alone; should a regenerated one be new, the
   * clusters and endpoints are built whole instead.
   */
  GroupSnapshot<GroupKey> buildEndpoints(
      ConfigGenerator g, GroupKey key, GroupSnapshot<GroupKey> previous, Set<String> hosts) {
    Optional<GroupSnapshot<GroupKey>> next;
    try {
      ProxyResources fresh = g.generateEndpoints(key, hosts);
      next = previous.overlay(g.push().number(), g.push().version(), fresh.resources());
    } catch (RuntimeException e) {
      log.error("generating config for proxies {} failed; they keep their last config", key, e);
      return previous;
    }
    if (next.isEmpty()) {
      return build(g, key, previous, CLUSTERS);
    }
    if (envoyRules != null && !followsEnvoyRules(g, key, resourcesOf(next.get()), CLUSTERS)) {
      return previous;
    }
    return next.get();
  }

  private static final Set<String> CLUSTERS = Set.of(TypeUrls.CLUSTER, TypeUrls.ENDPOINT);

  private static ProxyResources resourcesOf(GroupSnapshot<GroupKey> snapshot) {
    Map<String, SortedMap<String, Message>> all = new HashMap<>();
    for (String type : TypeUrls.PUSH_ORDER) {
      all.put(type, snapshot.type(type).resources());
    }
    return new ProxyResources(all, Map.of(), snapshot.unprovided());
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
