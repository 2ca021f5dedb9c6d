package dev.mizzen.pilot.push;

import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.VirtualServiceSpec;
import dev.mizzen.ingest.model.VirtualServiceSpec.HttpMatch;
import dev.mizzen.ingest.model.VirtualServiceSpec.HttpRoute;
import dev.mizzen.ingest.model.VirtualServiceSpec.L4Match;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which calling proxies a VirtualService match applies to: its sourceLabels and sourceNamespace,
 * and the gateways it names. Such matches make routes depend on the proxy, so the label keys they
 * name join the proxy's group key.
 */
public final class SourceLabels {
  private SourceLabels() {}

  static Set<String> keys(List<Config<VirtualServiceSpec>> virtualServices) {
    Set<String> keys = new TreeSet<>();
    for (Config<VirtualServiceSpec> vs : virtualServices) {
      for (HttpRoute r : vs.spec().http()) {
        r.matches().forEach(m -> keys.addAll(m.sourceLabels().keySet()));
      }
      vs.spec()
          .tcp()
          .forEach(r -> r.matches().forEach(m -> keys.addAll(m.sourceLabels().keySet())));
      vs.spec()
          .tls()
          .forEach(r -> r.matches().forEach(m -> keys.addAll(m.sourceLabels().keySet())));
    }
    return keys;
  }

  /**
   * Whether a match applies to a proxy of {@code namespace} with {@code labels} on {@code gateway}
   * ("mesh" or "namespace/name").
   */
  public static boolean applies(
      Map<String, String> sourceLabels,
      String sourceNamespace,
      List<String> matchGateways,
      String gateway,
      Map<String, String> labels,
      String namespace) {
    if (!matchGateways.isEmpty() && !matchGateways.contains(gateway)) {
      return false;
    }
    if (!sourceNamespace.isEmpty() && !sourceNamespace.equals(namespace)) {
      return false;
    }
    return labels.entrySet().containsAll(sourceLabels.entrySet());
  }

  public static boolean applies(
      HttpMatch m, String gateway, Map<String, String> labels, String namespace) {
    return applies(m.sourceLabels(), m.sourceNamespace(), m.gateways(), gateway, labels, namespace);
  }

  public static boolean applies(
      L4Match m, String gateway, Map<String, String> labels, String namespace) {
    return applies(m.sourceLabels(), m.sourceNamespace(), m.gateways(), gateway, labels, namespace);
  }
}
