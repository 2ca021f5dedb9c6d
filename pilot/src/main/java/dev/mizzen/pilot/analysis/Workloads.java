package dev.mizzen.pilot.analysis;

import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.Kind;
import dev.mizzen.ingest.model.PodSpec;
import dev.mizzen.ingest.store.ConfigSnapshot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** The pods of the members, by namespace, for the analyzers that ask what a selector selects. */
final class Workloads {
  private final Map<String, List<Config<PodSpec>>> byNamespace = new HashMap<>();
  private final List<Config<PodSpec>> all;

  Workloads(List<Config<PodSpec>> pods) {
    this.all = List.copyOf(pods);
    for (Config<PodSpec> p : pods) {
      byNamespace.computeIfAbsent(p.namespace(), n -> new ArrayList<>()).add(p);
    }
  }

  static Workloads of(ConfigSnapshot config) {
    return new Workloads(List.copyOf(config.list(Kind.POD)));
  }

  /** The pods of {@code namespace}. */
  List<Config<PodSpec>> in(String namespace) {
    return byNamespace.getOrDefault(namespace, List.of());
  }

  /** Every pod of the members. */
  List<Config<PodSpec>> all() {
    return all;
  }

  /** The pods of {@code pods} whose labels hold every label of {@code selector}. */
  static List<Config<PodSpec>> selected(Map<String, String> selector, List<Config<PodSpec>> pods) {
    List<Config<PodSpec>> out = new ArrayList<>();
    for (Config<PodSpec> p : pods) {
      if (p.meta().labels().entrySet().containsAll(selector.entrySet())) {
        out.add(p);
      }
    }
    return out;
  }

  /** A selector as Kubernetes prints one: "app=web,version=v1", keys in order. */
  static String selectorString(Map<String, String> selector) {
    return new TreeMap<>(selector)
        .entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining(","));
  }
}
