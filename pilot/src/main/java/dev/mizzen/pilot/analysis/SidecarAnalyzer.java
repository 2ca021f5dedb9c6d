package dev.mizzen.pilot.analysis;

import static dev.mizzen.pilot.analysis.AnalysisMessage.quote;

import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.Kind;
import dev.mizzen.ingest.model.PodSpec;
import dev.mizzen.ingest.model.SidecarSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Sidecars that cannot all apply, as Istio's sidecar selector analyzer finds them: a workload
 * selector that selects no pod of its namespace (IST0101), a pod that several Sidecars select
 * (IST0110, told to each of them, per pod), a namespace with several Sidecars without selector
 * (IST0111, told to each). Istio applies the oldest, which is rarely what was meant.
 */
final class SidecarAnalyzer implements Analyzer {

  @Override
  public void analyze(AnalysisContext context, List<AnalysisMessage> out) {
    // Pods, as "namespace/name", to the Sidecars selecting them; namespaces to those without.
    Map<String, List<Config<SidecarSpec>>> byPod = new TreeMap<>();
    Map<String, List<Config<SidecarSpec>>> unselective = new TreeMap<>();
    for (Config<SidecarSpec> sc : context.push().config().list(Kind.SIDECAR)) {
      Map<String, String> selector = sc.spec().workloadSelector();
      if (selector.isEmpty()) {
        unselective.computeIfAbsent(sc.namespace(), n -> new ArrayList<>()).add(sc);
        continue;
      }
      List<Config<PodSpec>> pods =
          Workloads.selected(selector, context.workloads().in(sc.namespace()));
      if (pods.isEmpty()) {
        out.add(
            AnalysisMessage.on(
                sc,
                "spec.workloadSelector.labels",
                MessageType.REFERENCED_RESOURCE_NOT_FOUND,
                "Referenced selector not found: " + quote(Workloads.selectorString(selector))));
      }
      for (Config<PodSpec> p : pods) {
        byPod.computeIfAbsent(p.namespace() + "/" + p.name(), k -> new ArrayList<>()).add(sc);
      }
    }
    for (Map.Entry<String, List<Config<SidecarSpec>>> e : byPod.entrySet()) {
      if (e.getValue().size() < 2) {
        continue;
      }
      String namespace = e.getKey().substring(0, e.getKey().indexOf('/'));
      String pod = e.getKey().substring(e.getKey().indexOf('/') + 1);
      for (Config<SidecarSpec> sc : e.getValue()) {
        out.add(
            AnalysisMessage.on(
                sc,
                "spec.workloadSelector",
                MessageType.CONFLICTING_SIDECAR_WORKLOAD_SELECTORS,
                "The Sidecars "
                    + names(e.getValue())
                    + " in namespace "
                    + quote(namespace)
                    + " select the same workload pod "
                    + quote(pod)
                    + ", which can lead to undefined behavior."));
      }
    }
    for (Map.Entry<String, List<Config<SidecarSpec>>> e : unselective.entrySet()) {
      if (e.getValue().size() < 2) {
        continue;
      }
      for (Config<SidecarSpec> sc : e.getValue()) {
        out.add(
            AnalysisMessage.on(
                sc,
                "spec.workloadSelector",
                MessageType.MULTIPLE_SIDECARS_WITHOUT_WORKLOAD_SELECTORS,
                "The Sidecars "
                    + names(e.getValue())
                    + " in namespace "
                    + quote(e.getKey())
                    + " have no workload selector, which can lead to undefined behavior."));
      }
    }
  }

  /** The Sidecars' names, sorted, as Go prints a list of strings: "[a b]". */
  private static String names(List<Config<SidecarSpec>> sidecars) {
    return "[" + String.join(" ", sidecars.stream().map(Config::name).sorted().toList()) + "]";
  }
}
