package dev.mizzen.pilot.analysis;

import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.DestinationRuleSpec;
import dev.mizzen.ingest.model.Kind;
import java.util.List;

/**
 * IST0174, as Istio's destination rule analyzer finds it: a DestinationRule whose host is no
 * service of the mesh that its namespace, or one it exports to, may see; no proxy ever applies it.
 * A wildcard host is fine when it covers such a service.
 */
final class DestinationRuleAnalyzer implements Analyzer {

  @Override
  public void analyze(AnalysisContext context, List<AnalysisMessage> out) {
    ServiceLookup lookup = new ServiceLookup(context.push());
    for (Config<DestinationRuleSpec> dr : context.push().config().list(Kind.DESTINATION_RULE)) {
      String host = dr.spec().host();
      if (!lookup.anyMatches(host, dr.namespace(), dr.spec().exportTo())) {
        out.add(
            AnalysisMessage.on(
                dr,
                "spec.host",
                MessageType.UNKNOWN_DESTINATION_RULE_HOST,
                "The host "
                    + host
                    + " defined in the DestinationRule does not match any services in the mesh."));
      }
    }
  }
}
