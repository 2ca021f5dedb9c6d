package dev.mizzen.pilot.analysis;

import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.Kind;
import dev.mizzen.ingest.model.Protocol;
import dev.mizzen.ingest.model.ServiceSpec;
import dev.mizzen.ingest.model.ServiceSpec.ServicePort;
import java.util.List;
import java.util.Map;

/**
 * Service ports whose protocol Istio cannot tell from the name or {@code appProtocol}, as Istio's
 * port name analyzer finds them: IST0118 (Info; the port is served as protocol detection would
 * serve it). The control plane's own Services are left alone.
 */
final class PortNameAnalyzer implements Analyzer {

  @Override
  public void analyze(AnalysisContext context, List<AnalysisMessage> out) {
    for (Config<ServiceSpec> svc : context.push().config().list(Kind.SERVICE)) {
      Map<String, String> labels = svc.meta().labels();
      if (labels.containsKey("istio") || "istio".equals(labels.get("release"))) {
        continue;
      }
      List<ServicePort> ports = svc.spec().ports();
      for (int i = 0; i < ports.size(); i++) {
        ServicePort p = ports.get(i);
        if (p.protocol() != Protocol.UNSPECIFIED) {
          continue;
        }
        String target =
            p.targetPortName().isEmpty()
                ? Integer.toString(p.targetPortNumber())
                : p.targetPortName();
        out.add(
            AnalysisMessage.on(
                svc,
                "spec.ports[" + i + "].name",
                MessageType.PORT_NAME_IS_NOT_UNDER_NAMING_CONVENTION,
                "Port name "
                    + p.name()
                    + " (port: "
                    + p.port()
                    + ", targetPort: "
                    + target
                    + ") doesn't follow the naming convention of Istio port."));
      }
    }
  }
}
