package dev.mizzen.pilot.analysis;

import static dev.mizzen.pilot.analysis.AnalysisMessage.quote;

import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.GatewaySpec;
import java.util.List;

/**
 * IST0101 for a Gateway whose selector selects no pod of the mesh, as Istio's gateway analyzer
 * finds it: a Gateway selects workloads in every namespace, so no router proxy serves it.
 */
final class GatewayAnalyzer implements Analyzer {

  @Override
  public void analyze(AnalysisContext context, List<AnalysisMessage> out) {
    for (Config<GatewaySpec> g : context.push().gateways()) {
      if (Workloads.selected(g.spec().selector(), context.workloads().all()).isEmpty()) {
        out.add(
            AnalysisMessage.on(
                g,
                "spec.selector",
                MessageType.REFERENCED_RESOURCE_NOT_FOUND,
                "Referenced selector not found: "
                    + quote(Workloads.selectorString(g.spec().selector()))));
      }
    }
  }
}
