package dev.mizzen.pilot.generate;

import com.google.protobuf.Struct;
import dev.mizzen.ingest.model.Kind;
import dev.mizzen.pilot.proxy.Proxy;
import dev.mizzen.pilot.push.PushContext;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The proxies a golden input names on its {@code # proxies:} line. */
public final class GoldenProxies {
  private GoldenProxies() {}

  /**
   * "GENERATOR/TYPE/NAMESPACE" for a proxy that is no workload, or "GENERATOR/TYPE/NAMESPACE/POD"
   * for the proxy of a Pod of the input, with its labels and IP.
   */
  public static Proxy of(String spec, PushContext push) {
    String[] parts = spec.split("/");
    String ns = parts[2];
    String pod = parts.length > 3 ? parts[3] : "proxy";
    String ip = "10.255.0.1";
    Map<String, String> labels = Map.of();
    if (parts.length > 3) {
      var config = push.config().get(Kind.POD, ns, pod);
      if (config.isEmpty()) {
        throw new IllegalArgumentException("no pod " + ns + "/" + pod + " in the input");
      }
      labels = config.get().meta().labels();
      ip = config.get().spec().ip();
    }
    Proxy.Type type = Proxy.Type.valueOf(parts[1].toUpperCase(Locale.ROOT));
    return new Proxy(
        type.istioName() + "~" + ip + "~" + pod + "." + ns + "~" + ns + ".svc.cluster.local",
        type,
        ip.isEmpty() ? List.of() : List.of(ip),
        pod,
        ns,
        labels,
        "Kubernetes",
        "",
        Proxy.Generator.valueOf(parts[0].toUpperCase(Locale.ROOT)),
        Struct.getDefaultInstance(),
        false);
  }
}
