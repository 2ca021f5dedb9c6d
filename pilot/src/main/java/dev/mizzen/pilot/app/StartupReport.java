package dev.mizzen.pilot.app;

import dev.mizzen.ingest.kube.KubeSource;
import dev.mizzen.ingest.kube.WatchScope;
import dev.mizzen.ingest.model.ConfigError;
import dev.mizzen.ingest.model.Kind;
import dev.mizzen.pilot.analysis.Level;
import dev.mizzen.pilot.control.PushStatus;
import dev.mizzen.tenancy.Membership;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a starting control plane says on one screen: what it loaded, refused, and where it listens.
 */
final class StartupReport {
  private StartupReport() {}

  static String render(ControlPlane cp, String version, String bind) {
    PushStatus s = cp.pipeline().status();
    Membership m = s.membership();
    StringBuilder b = new StringBuilder();
    String ns = cp.options().mesh().controlPlaneNamespace();
    b.append("\nMizzen ")
        .append(version)
        .append(": control plane \"")
        .append(ns)
        .append("\", member roll \"")
        .append(cp.options().memberRollName())
        .append("\"\n");
    if (cp.source() != null) {
      b.append("  config     directory ")
          .append(cp.source().root())
          .append(" (")
          .append(cp.source().fileCount())
          .append(" files)\n");
    } else {
      KubeSource k = cp.kubeSource();
      b.append("  config     kubernetes, ")
          .append(
              k.scope() == WatchScope.CLUSTER
                  ? "cluster-wide informers filtered by member"
                  : "informers per member namespace")
          .append(" (")
          .append(k.informerCount())
          .append(" informers)\n");
    }
    if (!m.rollFound()) {
      b.append("  members    no ServiceMeshMemberRoll ")
          .append(ns)
          .append('/')
          .append(cp.options().memberRollName())
          .append(": serving ")
          .append(ns)
          .append(" only\n");
    } else {
      b.append("  members    ").append(String.join(", ", m.configured()));
      b.append(m.configured().isEmpty() ? "(none)" : "")
          .append(" + ")
          .append(ns)
          .append(" (control plane)\n");
      for (Map.Entry<String, String> p : m.pending().entrySet()) {
        b.append("  pending    ").append(p.getKey()).append(": ").append(p.getValue()).append('\n');
      }
    }
    List<String> counts = new ArrayList<>();
    for (Kind<?> k : Kind.all()) {
      int n = s.config().list(k).size();
      if (n > 0) {
        counts.add(n + " " + k.name());
      }
    }
    b.append("  loaded     ")
        .append(s.config().size())
        .append(" objects: ")
        .append(String.join(", ", counts))
        .append('\n');
    if (s.ignored() > 0) {
      b.append("  ignored    ")
          .append(s.ignored())
          .append(" objects in namespaces outside the member roll (listed at debug level)\n");
    }
    b.append("  refused    ").append(s.refused().size()).append('\n');
    for (ConfigError e : s.refused()) {
      b.append("    ").append(e.message()).append('\n');
    }
    List<ConfigError> failClosed = s.push().authz().errors();
    if (!failClosed.isEmpty()) {
      b.append("  fail closed ")
          .append(failClosed.size())
          .append(" (security config in error, served so that it denies rather than allows)\n");
      for (ConfigError e : failClosed) {
        b.append("    ").append(e.message()).append('\n');
      }
    }
    if (!s.warnings().isEmpty()) {
      b.append("  warnings   ").append(s.warnings().size()).append('\n');
      for (ConfigError e : s.warnings()) {
        b.append("    ").append(e.message()).append('\n');
      }
    }
    var found = s.analysis().counts();
    if (!s.analysis().messages().isEmpty()) {
      b.append("  analysis   ")
          .append(found.get(Level.ERROR))
          .append(" errors, ")
          .append(found.get(Level.WARNING))
          .append(" warnings, ")
          .append(found.get(Level.INFO))
          .append(" info (/debug/analyze; errors and warnings are among the warnings above)\n");
    }
    var tracing = s.push().tracing();
    var t = cp.options().mesh().tracing();
    if (tracing.isPresent()) {
      b.append("  tracing    Zipkin spans to ")
          .append(tracing.get().address())
          .append(", ")
          .append(tracing.get().samplingPercent())
          .append("% of requests sampled\n");
    } else if (t.collectorService().isEmpty()) {
      b.append("  tracing    off (--tracing-collector none)\n");
    } else {
      b.append("  tracing    off: no Service ")
          .append(ns)
          .append('/')
          .append(t.collectorService())
          .append(" with a port named ")
          .append(t.portName())
          .append('\n');
    }
    if (cp.xdsPort() > 0) {
      b.append("  listening  xDS (ADS over gRPC, plain text) ")
          .append(cp.xdsAddress().getHostString())
          .append(':')
          .append(cp.xdsPort())
          .append('\n');
    } else {
      b.append("  listening  xDS over plain text off (--plaintext-xds to serve it)\n");
    }
    if (cp.secureXdsPort() > 0) {
      b.append("             xDS over mutual TLS ")
          .append(bind)
          .append(':')
          .append(cp.secureXdsPort())
          .append("  (namespace from the client certificate's SPIFFE identity)\n");
    }
    b.append("             debug http://")
        .append(bind)
        .append(':')
        .append(cp.debugPort())
        .append(
            "  (/ready, /debug/syncz, /debug/configz, /debug/config_dump?proxyID=,"
                + " /debug/authorizationz)\n");
    if (cp.webhookPaths().contains("/inject")) {
      b.append("             injection webhook https://")
          .append(bind)
          .append(':')
          .append(cp.webhookPort())
          .append("/inject  (pods annotated sidecar.istio.io/inject in member namespaces)\n");
    }
    if (cp.webhookPaths().contains("/validate")) {
      b.append("             validation webhook https://")
          .append(bind)
          .append(':')
          .append(cp.webhookPort())
          .append("/validate  (Istio and Maistra objects of the mesh's namespaces)\n");
    }
    if (cp.monitoringPort() > 0) {
      b.append("             monitoring http://")
          .append(bind)
          .append(':')
          .append(cp.monitoringPort())
          .append('\n');
    }
    return b.toString();
  }
}
