package dev.mizzen.pilot.cmd;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mizzen config-dump PROXY}: the config Mizzen serves a proxy, as Envoy's config_dump. */
@Command(
    name = "config-dump",
    mixinStandardHelpOptions = true,
    description = "Print the config Mizzen serves a proxy, in the shape of Envoy's /config_dump.")
final class ConfigDumpCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin DebugClient.Options server = new DebugClient.Options();

  @Parameters(paramLabel = "PROXY", description = "The proxy, as POD.NAMESPACE or its node id.")
  String proxy;

  @Option(
      names = "--types",
      split = ",",
      description = "Only these types: cluster, listener, route, endpoint.")
  List<String> types;

  @Override
  public Integer call() throws Exception {
    String q = "/debug/config_dump?proxyID=" + DebugClient.encode(proxy);
    if (types != null && !types.isEmpty()) {
      q += "&types=" + DebugClient.encode(String.join(",", types));
    }
    spec.commandLine().getOut().print(new DebugClient(server).get(q));
    spec.commandLine().getOut().flush();
    return 0;
  }
}
