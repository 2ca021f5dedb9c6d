package dev.mizzen.pilot.cmd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mizzen proxy-status}: each proxy's sync state per type, read from /debug/syncz. */
@Command(
    name = "proxy-status",
    mixinStandardHelpOptions = true,
    description = "Show whether each connected proxy has the config Mizzen sent it.")
final class ProxyStatusCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin DebugClient.Options server = new DebugClient.Options();

  @Option(
      names = {"-n", "--namespace"},
      description = "Only proxies of this namespace.")
  String namespace;

  @Parameters(
      arity = "0..1",
      paramLabel = "PROXY",
      description = "Only this proxy (POD.NAMESPACE).")
  String proxy;

  /** Kiali's reading of one type's nonces. */
  static String state(String sent, String acked) {
    if (sent == null || sent.isEmpty()) {
      return "NOT SENT";
    }
    if (sent.equals(acked)) {
      return "SYNCED";
    }
    if (acked == null || acked.isEmpty()) {
      return "STALE (Never Acknowledged)";
    }
    return "STALE";
  }

  @Override
  public Integer call() throws Exception {
    StringBuilder q = new StringBuilder("/debug/syncz");
    List<String> params = new ArrayList<>();
    if (namespace != null) {
      params.add("namespace=" + DebugClient.encode(namespace));
    }
    if (proxy != null) {
      params.add("proxyID=" + DebugClient.encode(proxy));
    }
    if (!params.isEmpty()) {
      q.append('?').append(String.join("&", params));
    }
    JsonNode syncz = new ObjectMapper().readTree(new DebugClient(server).get(q.toString()));
    PrintWriter out = spec.commandLine().getOut();
    String[] header = {"NAME", "CLUSTER", "CDS", "LDS", "EDS", "RDS", "VERSION"};
    List<String[]> rows = new ArrayList<>();
    rows.add(header);
    for (JsonNode e : syncz) {
      rows.add(
          new String[] {
            e.path("proxy").asText(),
            e.path("cluster_id").asText(),
            state(e.path("cluster_sent").asText(), e.path("cluster_acked").asText()),
            state(e.path("listener_sent").asText(), e.path("listener_acked").asText()),
            state(e.path("endpoint_sent").asText(), e.path("endpoint_acked").asText()),
            state(e.path("route_sent").asText(), e.path("route_acked").asText()),
            e.path("proxy_version").asText()
          });
    }
    out.print(Table.render(rows));
    out.flush();
    if (syncz.isEmpty() && proxy != null) {
      spec.commandLine().getErr().println("no connected proxy " + proxy);
      return 1;
    }
    return 0;
  }
}
