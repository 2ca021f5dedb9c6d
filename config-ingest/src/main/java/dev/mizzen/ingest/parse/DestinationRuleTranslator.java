package dev.mizzen.ingest.parse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mizzen.ingest.model.DestinationRuleSpec;
import dev.mizzen.ingest.model.DestinationRuleSpec.TrafficPolicy;
import dev.mizzen.ingest.model.Meta;
import io.fabric8.istio.api.api.networking.v1alpha3.DestinationRule;
import io.fabric8.istio.api.api.networking.v1alpha3.Subset;
import io.fabric8.istio.api.api.networking.v1alpha3.TrafficPolicyPortTrafficPolicy;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Istio DestinationRule into {@link DestinationRuleSpec}. */
final class DestinationRuleTranslator implements SpecTranslator<DestinationRuleSpec> {

  @Override
  public DestinationRuleSpec translate(JsonNode object, Meta meta) throws FieldException {
    JsonNode specNode = object.get("spec");
    if (specNode == null || specNode.isNull()) {
      throw new FieldException("spec", "required");
    }
    JsonNode copy = specNode.deepCopy();
    Map<String, Long> ringSizes = TrafficPolicies.takeRingSizes(copy);
    DestinationRule spec = Mappers.read(Mappers.STRICT, copy, DestinationRule.class, "spec");
    if (spec.getHost() == null || spec.getHost().isEmpty()) {
      throw new FieldException("spec.host", "required");
    }
    Hosts.requireHost(spec.getHost(), "spec.host", true);
    Unsupported.refuse(spec.getWorkloadSelector(), "spec.workloadSelector");
    TrafficPolicy top = policy(spec.getTrafficPolicy(), "spec.trafficPolicy", ringSizes);
    List<DestinationRuleSpec.Subset> subsets = new ArrayList<>();
    Set<String> names = new HashSet<>();
    List<Subset> written = spec.getSubsets() == null ? List.of() : spec.getSubsets();
    for (int i = 0; i < written.size(); i++) {
      Subset s = written.get(i);
      String f = "spec.subsets[" + i + "]";
      if (s.getName() == null || s.getName().isEmpty()) {
        throw new FieldException(f + ".name", "required");
      }
      Names.requireLabel(s.getName(), f + ".name");
      if (!names.add(s.getName())) {
        throw new FieldException(f + ".name", "duplicate subset \"" + s.getName() + "\"");
      }
      Map<String, String> labels = Selectors.labels(s.getLabels(), f + ".labels");
      subsets.add(
          new DestinationRuleSpec.Subset(
              s.getName(), labels, policy(s.getTrafficPolicy(), f + ".trafficPolicy", ringSizes)));
    }
    return new DestinationRuleSpec(
        spec.getHost(), top, subsets, ExportTos.check(spec.getExportTo(), meta.namespace(), false));
  }

  private static TrafficPolicy policy(
      io.fabric8.istio.api.api.networking.v1alpha3.TrafficPolicy p,
      String f,
      Map<String, Long> ringSizes)
      throws FieldException {
    if (p == null) {
      return null;
    }
    if (p.getLoadBalancer() == null
        && p.getConnectionPool() == null
        && p.getOutlierDetection() == null
        && p.getTls() == null
        && (p.getPortLevelSettings() == null || p.getPortLevelSettings().isEmpty())
        && p.getProxyProtocol() == null
        && p.getTunnel() == null
        && p.getRetryBudget() == null) {
      throw new FieldException(
          f,
          "empty: give at least one of loadBalancer, connectionPool, outlierDetection, tls or portLevelSettings");
    }
    Unsupported.refuse(p.getProxyProtocol(), f + ".proxyProtocol");
    Unsupported.refuse(p.getTunnel(), f + ".tunnel");
    Unsupported.refuse(p.getRetryBudget(), f + ".retryBudget");
    List<DestinationRuleSpec.PortPolicy> ports = new ArrayList<>();
    List<TrafficPolicyPortTrafficPolicy> written =
        p.getPortLevelSettings() == null ? List.of() : p.getPortLevelSettings();
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < written.size(); i++) {
      var pl = written.get(i);
      String pf = f + ".portLevelSettings[" + i + "]";
      if (pl.getPort() == null || pl.getPort().getNumber() == null) {
        throw new FieldException(pf + ".port.number", "required");
      }
      int number = VirtualServiceTranslator.port(pl.getPort().getNumber(), pf + ".port.number");
      if (pl.getLoadBalancer() == null
          && pl.getConnectionPool() == null
          && pl.getOutlierDetection() == null
          && pl.getTls() == null) {
        throw new FieldException(
            pf,
            "empty: give at least one of loadBalancer, connectionPool, outlierDetection or tls");
      }
      if (!seen.add(number)) {
        throw new FieldException(pf + ".port.number", "duplicate port " + number);
      }
      ports.add(
          new DestinationRuleSpec.PortPolicy(
              number,
              TrafficPolicies.loadBalancer(pl.getLoadBalancer(), pf + ".loadBalancer", ringSizes),
              TrafficPolicies.connectionPool(pl.getConnectionPool(), pf + ".connectionPool"),
              TrafficPolicies.outlierDetection(pl.getOutlierDetection(), pf + ".outlierDetection"),
              TrafficPolicies.tls(pl.getTls(), pf + ".tls")));
    }
    return new TrafficPolicy(
        TrafficPolicies.loadBalancer(p.getLoadBalancer(), f + ".loadBalancer", ringSizes),
        TrafficPolicies.connectionPool(p.getConnectionPool(), f + ".connectionPool"),
        TrafficPolicies.outlierDetection(p.getOutlierDetection(), f + ".outlierDetection"),
        TrafficPolicies.tls(p.getTls(), f + ".tls"),
        ports);
  }
}
