package dev.mizzen.pilot.push;

import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.ConfigError;
import dev.mizzen.ingest.model.DestinationRuleSpec;
import dev.mizzen.ingest.model.DestinationRuleSpec.Subset;
import dev.mizzen.ingest.model.DestinationRuleSpec.TrafficPolicy;
import dev.mizzen.ingest.model.ObjectRef;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The DestinationRules of one push, merged and indexed the way Istio (1.24 and later) does it, so
 * that a proxy applies the same rule for a host that an Istio proxy in its namespace would.
 *
 * <p>Rules are taken oldest first (creation time, then name, then namespace). Within one namespace,
 * rules for the same host whose {@code exportTo} sets are equal are merged into the first: subsets
 * it does not define yet are appended (a subset defined twice keeps the first definition, with a
 * warning on the later rule), and its top-level traffic policy is the first one written. A rule
 * whose {@code exportTo} is a strict superset of an earlier one's is merged into that one and also
 * kept on its own; any other rule for the host stands alone. Where several rules are left for one
 * host, a proxy applies the last one it may see.
 *
 * <p>A proxy looks, in order: among the rules of its own namespace that its namespace may see (for
 * a proxy of the root namespace, the root namespace's private rules); among the rules the service's
 * namespace exports to it; among those the root namespace exports to it. Each step takes the most
 * specific host that has rules there (the host itself, then the longest wildcard), and stops at the
 * first step that yields a rule. Rules of any other namespace never apply.
 */
public final class DestinationRules {
  /**
   * One rule as a proxy applies it.
   *
   * @param rule the rule, or several rules of one namespace merged (named after the first of them)
   * @param exportTo the first rule's {@code exportTo}, as written
   * @param from every rule merged into it, oldest first
   */
  public record Merged(
      Config<DestinationRuleSpec> rule, Set<String> exportTo, List<ObjectRef> from) {
    public Merged {
      exportTo = Set.copyOf(exportTo);
      from = List.copyOf(from);
    }
  }

  /** Istio's order among rules: the oldest first, then by name, then by namespace. */
  static final Comparator<Config<DestinationRuleSpec>> ORDER =
      Comparator.comparing((Config<DestinationRuleSpec> c) -> c.meta().creationTimestamp())
          .thenComparing(Config::name)
          .thenComparing(Config::namespace);

  private final MeshSettings mesh;
  private final Map<String, Map<String, List<Merged>>> namespaceLocal;
  private final Map<String, Map<String, List<Merged>>> exported;
  private final Map<String, List<Merged>> rootLocal;
  private final List<ConfigError> warnings;
  private final int duplicateSubsetHosts;

  private DestinationRules(
      MeshSettings mesh,
      Map<String, Map<String, List<Merged>>> namespaceLocal,
      Map<String, Map<String, List<Merged>>> exported,
      Map<String, List<Merged>> rootLocal,
      List<ConfigError> warnings,
      int duplicateSubsetHosts) {
    this.mesh = mesh;
    this.namespaceLocal = namespaceLocal;
    this.exported = exported;
    this.rootLocal = rootLocal;
    this.warnings = warnings;
    this.duplicateSubsetHosts = duplicateSubsetHosts;
  }

  /** Indexes {@code rules}: the member namespaces' DestinationRules. */
  public static DestinationRules build(
      Collection<Config<DestinationRuleSpec>> rules, MeshSettings mesh) {
    List<Config<DestinationRuleSpec>> sorted = new ArrayList<>(rules);
    sorted.sort(ORDER);
    Merger merger = new Merger(mesh);
    Map<String, Map<String, List<Building>>> local = new HashMap<>();
    Map<String, Map<String, List<Building>>> exported = new HashMap<>();
    Map<String, List<Building>> rootLocal = new HashMap<>();
    for (Config<DestinationRuleSpec> dr : sorted) {
      Set<String> exportTo = new LinkedHashSet<>(dr.spec().exportTo());
      String ns = dr.namespace();
      if (exportTo.isEmpty()
          || exportTo.contains("*")
          || exportTo.contains(".")
          || exportTo.contains(ns)) {
        merger.merge(local.computeIfAbsent(ns, n -> new HashMap<>()), dr, exportTo);
      }
      boolean privateOnly =
          exportTo.size() == 1 && (exportTo.contains(".") || exportTo.contains(ns));
      if (!privateOnly) {
        merger.merge(exported.computeIfAbsent(ns, n -> new HashMap<>()), dr, exportTo);
      } else if (ns.equals(mesh.rootNamespace())) {
        merger.merge(rootLocal, dr, exportTo);
      }
    }
    List<ConfigError> warnings = new ArrayList<>(merger.warnings);
    local.forEach((ns, byHost) -> shadowed(ns, byHost, warnings));
    warnings.sort(Warnings.ORDER);
    // The same rules merged in several indexes are one rule: one object, so that what is built
    // from it (clusters, virtual hosts) is built once per push and shared.
    Map<List<ObjectRef>, Merged> made = new HashMap<>();
    return new DestinationRules(
        mesh,
        freezeAll(local, made),
        freezeAll(exported, made),
        freeze(rootLocal, made),
        List.copyOf(warnings),
        merger.duplicateHosts.size());
  }

  /**
   * The rule a proxy of {@code viewer} applies to {@code host}, a service of {@code
   * serviceNamespace} (empty when the host is no service of the mesh).
   */
  public Optional<Merged> lookup(String host, String serviceNamespace, String viewer) {
    Optional<List<Merged>> own =
        viewer.equals(mesh.rootNamespace())
            ? mostSpecific(rootLocal, host)
            : mostSpecific(namespaceLocal.getOrDefault(viewer, Map.of()), host);
    if (own.isPresent()) {
      return Optional.of(last(own.get()));
    }
    if (!serviceNamespace.isEmpty()) {
      Optional<Merged> fromService = exportedTo(serviceNamespace, host, viewer);
      if (fromService.isPresent()) {
        return fromService;
      }
    }
    return exportedTo(mesh.rootNamespace(), host, viewer);
  }

  /** Merging problems: subsets defined twice, rules another rule for the same host hides. */
  public List<ConfigError> warnings() {
    return warnings;
  }

  /**
   * Hosts with a subset defined by more than one rule (istiod's {@code pilot_destrule_subsets}).
   */
  public int duplicateSubsetHosts() {
    return duplicateSubsetHosts;
  }

  private Optional<Merged> exportedTo(String owner, String host, String viewer) {
    Optional<List<Merged>> found = mostSpecific(exported.getOrDefault(owner, Map.of()), host);
    if (found.isEmpty()) {
      return Optional.empty();
    }
    Merged visible = null;
    for (Merged m : found.get()) {
      if (m.exportTo().isEmpty() || m.exportTo().contains("*") || m.exportTo().contains(viewer)) {
        visible = m;
      }
    }
    return Optional.ofNullable(visible);
  }

  /** The rules for {@code host} itself, else for the longest wildcard that matches it. */
  private static Optional<List<Merged>> mostSpecific(
      Map<String, List<Merged>> byHost, String host) {
    if (byHost.isEmpty()) {
      return Optional.empty();
    }
    List<Merged> exact = byHost.get(host);
    if (exact != null) {
      return Optional.of(exact);
    }
    String suffix = host;
    while (suffix.indexOf('.') >= 0) {
      suffix = suffix.substring(suffix.indexOf('.') + 1);
      List<Merged> wild = byHost.get("*." + suffix);
      if (wild != null) {
        return Optional.of(wild);
      }
    }
    return Optional.ofNullable(byHost.get("*"));
  }

  private static Merged last(List<Merged> list) {
    return list.get(list.size() - 1);
  }

  /**
   * Rules a proxy of their own namespace never applies: an earlier rule for a host that a later
   * one, not merged with it, replaces there.
   */
  private static void shadowed(
      String ns, Map<String, List<Building>> byHost, List<ConfigError> warnings) {
    byHost.forEach(
        (host, list) -> {
          Building applied = list.get(list.size() - 1);
          for (Building b : list.subList(0, list.size() - 1)) {
            for (Config<DestinationRuleSpec> dr : b.rules) {
              if (applied.rules.contains(dr)) {
                continue;
              }
              warnings.add(
                  Warnings.warning(
                      dr,
                      "spec.exportTo",
                      "not merged with DestinationRule "
                          + applied.rules.get(0).ref().qualifiedName()
                          + " for "
                          + host
                          + ", whose exportTo differs; proxies in "
                          + ns
                          + " apply that rule and not this one"));
            }
          }
        });
  }

  private static Map<String, Map<String, List<Merged>>> freezeAll(
      Map<String, Map<String, List<Building>>> byNamespace, Map<List<ObjectRef>, Merged> made) {
    Map<String, Map<String, List<Merged>>> out = new HashMap<>();
    byNamespace.forEach((ns, byHost) -> out.put(ns, freeze(byHost, made)));
    return Map.copyOf(out);
  }

  private static Map<String, List<Merged>> freeze(
      Map<String, List<Building>> byHost, Map<List<ObjectRef>, Merged> made) {
    Map<String, List<Merged>> out = new HashMap<>();
    byHost.forEach(
        (host, list) ->
            out.put(
                host,
                list.stream().map(b -> made.computeIfAbsent(b.from(), f -> b.merged())).toList()));
    return Map.copyOf(out);
  }

  /** Folds rules into one index, as Istio's merge does, and notes what it had to leave out. */
  private static final class Merger {
    private final MeshSettings mesh;
    private final Set<ConfigError> warnings = new LinkedHashSet<>();
    private final Set<String> duplicateHosts = new TreeSet<>();

    Merger(MeshSettings mesh) {
      this.mesh = mesh;
    }

    void merge(
        Map<String, List<Building>> byHost, Config<DestinationRuleSpec> dr, Set<String> exportTo) {
      String host = mesh.resolve(dr.spec().host(), dr.namespace());
      List<Building> list = byHost.get(host);
      if (list == null) {
        byHost.computeIfAbsent(host, h -> new ArrayList<>()).add(new Building(dr, exportTo));
        return;
      }
      // As Istio decides it: the answer for the last rule looked at stands.
      boolean alone = true;
      for (Building existing : List.copyOf(list)) {
        if (exportTo.equals(existing.exportTo)) {
          alone = false;
        } else if (!existing.exportTo.isEmpty() && exportTo.containsAll(existing.exportTo)) {
          alone = true;
        } else {
          alone = true;
          continue;
        }
        existing.add(dr, host, this);
      }
      if (alone) {
        list.add(new Building(dr, exportTo));
      }
    }
  }

  /** A merged rule while the index is built. */
  private static final class Building {
    final Set<String> exportTo;
    final List<Config<DestinationRuleSpec>> rules = new ArrayList<>();
    final LinkedHashMap<String, Subset> subsets = new LinkedHashMap<>();
    TrafficPolicy trafficPolicy;

    Building(Config<DestinationRuleSpec> first, Set<String> exportTo) {
      this.exportTo = Set.copyOf(exportTo);
      rules.add(first);
      first.spec().subsets().forEach(s -> subsets.putIfAbsent(s.name(), s));
      trafficPolicy = first.spec().trafficPolicy();
    }

    void add(Config<DestinationRuleSpec> dr, String host, Merger merger) {
      rules.add(dr);
      List<Subset> incoming = dr.spec().subsets();
      for (int i = 0; i < incoming.size(); i++) {
        Subset s = incoming.get(i);
        if (subsets.putIfAbsent(s.name(), s) != null) {
          merger.duplicateHosts.add(host);
          merger.warnings.add(
              Warnings.warning(
                  dr,
                  "spec.subsets[" + i + "].name",
                  "subset \""
                      + s.name()
                      + "\" of "
                      + host
                      + " is already defined by DestinationRule "
                      + definedBy(s.name()).ref().qualifiedName()
                      + ", which was created first and wins; this definition is ignored"));
        }
      }
      if (trafficPolicy == null) {
        trafficPolicy = dr.spec().trafficPolicy();
      }
    }

    private Config<DestinationRuleSpec> definedBy(String subset) {
      for (Config<DestinationRuleSpec> r : rules) {
        if (r.spec().subset(subset).isPresent()) {
          return r;
        }
      }
      return rules.get(0);
    }

    /** The rules merged into this one, oldest first: what makes it the rule it is. */
    List<ObjectRef> from() {
      return rules.stream().map(Config::ref).toList();
    }

    /** The rule as proxies apply it; a rule merged with none is served as it was read. */
    Merged merged() {
      Config<DestinationRuleSpec> first = rules.get(0);
      List<ObjectRef> from = from();
      if (rules.size() == 1) {
        return new Merged(first, exportTo, from);
      }
      DestinationRuleSpec spec =
          new DestinationRuleSpec(
              first.spec().host(),
              trafficPolicy,
              List.copyOf(subsets.values()),
              first.spec().exportTo());
      return new Merged(
          new Config<>(first.ref(), first.meta(), spec, first.origin(), first.source()),
          exportTo,
          from);
    }
  }
}
