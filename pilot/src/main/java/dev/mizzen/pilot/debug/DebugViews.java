package dev.mizzen.pilot.debug;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.ConfigError;
import dev.mizzen.ingest.model.Kind;
import dev.mizzen.pilot.control.PushPipeline;
import dev.mizzen.pilot.control.PushStatus;
import dev.mizzen.pilot.generate.TypeUrls;
import dev.mizzen.pilot.proxy.Proxy;
import dev.mizzen.pilot.xds.ProxyConnection;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON bodies of the debug endpoints, built from the cache and the last push. */
final class DebugViews {
  private static final String VERSION = DebugViews.class.getPackage().getImplementationVersion() == null
      ? "dev"
      : DebugViews.class.getPackage().getImplementationVersion();

  private final PushPipeline pipeline;

  DebugViews(PushPipeline pipeline) {
    this.pipeline = pipeline;
  }

  /** istiod's /debug/syncz: per proxy, the nonce last sent and last acknowledged per type. */
  List<Map<String, Object>> syncz(Map<String, String> query) {
    String namespace = query.getOrDefault("namespace", "");
    String proxyId = query.getOrDefault("proxyID", "");
    List<Map<String, Object>> out = new ArrayList<>();
    List<ProxyConnection> conns = new ArrayList<>(pipeline.cache().connections());
    conns.sort(Comparator.comparing(c -> c.proxy().shortId()));
    for (ProxyConnection c : conns) {
      Proxy p = c.proxy();
      if (!namespace.isEmpty() && !namespace.equals(p.namespace())) {
        continue;
      }
      if (!proxyId.isEmpty() && !proxyId.equals(p.shortId()) && !proxyId.equals(p.id())) {
        continue;
      }
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("cluster_id", p.clusterId());
      e.put("proxy", p.shortId());
      e.put("proxy_type", p.type().istioName());
      e.put("proxy_version", p.istioVersion());
      e.put("istio_version", VERSION);
      var status = c.status();
      for (String type : TypeUrls.PUSH_ORDER) {
        var s = status.get(type);
        String name = TypeUrls.shortName(type);
        e.put(name + "_sent", s == null ? "" : s.sentNonce());
        e.put(name + "_acked", s == null ? "" : s.ackedNonce());
      }
      e.put("extensionconfig_sent", "");
      e.put("extensionconfig_acked", "");
      out.add(e);
    }
    return out;
  }

  /**
   * istiod's /debug/configz: the config as ingested, each object with its kind, metadata and spec;
   * refused objects with the reason, and served objects with their warnings.
   */
  List<Map<String, Object>> configz(Map<String, String> query) {
    PushStatus status = pipeline.status();
    List<Map<String, Object>> out = new ArrayList<>();
    if (status == null) {
      return out;
    }
    String namespace = query.getOrDefault("namespace", "");
    Map<String, List<ConfigError>> warnings = new LinkedHashMap<>();
    for (ConfigError w : status.warnings()) {
      warnings.computeIfAbsent(w.kind() + "/" + w.namespace() + "/" + w.name(), k -> new ArrayList<>()).add(w);
    }
    // Accepted, but served fail closed: the part in error denies rather than allows.
    Map<String, List<ConfigError>> errors = new LinkedHashMap<>();
    for (ConfigError w : status.push().authz().errors()) {
      errors.computeIfAbsent(w.kind() + "/" + w.namespace() + "/" + w.name(), k -> new ArrayList<>()).add(w);
    }
    for (Kind<?> kind : Kind.all()) {
      for (Config<?> c : status.config().list(kind)) {
        JsonNode source = c.source();
        if (source == null || (!namespace.isEmpty() && !namespace.equals(c.namespace()))) {
          continue;
        }
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("kind", kind.name());
        e.put("apiVersion", kind.apiVersions().findFirst().orElse(""));
        e.put("metadata", metadata(c));
        e.put("spec", source);
        e.put("accepted", true);
        e.put("origin", c.origin());
        List<ConfigError> ws = warnings.getOrDefault(kind.name() + "/" + c.namespace() + "/" + c.name(), List.of());
        if (!ws.isEmpty()) {
          e.put("warnings", ws.stream().map(DebugViews::problem).toList());
        }
        List<ConfigError> es = errors.getOrDefault(kind.name() + "/" + c.namespace() + "/" + c.name(), List.of());
        if (!es.isEmpty()) {
          e.put("errors", es.stream().map(DebugViews::problem).toList());
        }
        out.add(e);
      }
    }
    for (ConfigError err : status.refused()) {
      if (!namespace.isEmpty() && !namespace.equals(err.namespace())) {
        continue;
      }
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("kind", err.kind());
      Map<String, Object> meta = new LinkedHashMap<>();
      meta.put("name", err.name());
      meta.put("namespace", err.namespace());
      e.put("metadata", meta);
      e.put("accepted", false);
      e.put("origin", err.origin());
      e.put("errors", List.of(problem(err)));
      out.add(e);
    }
    return out;
  }

  private static Map<String, Object> metadata(Config<?> c) {
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("name", c.name());
    meta.put("namespace", c.namespace());
    if (!c.meta().resourceVersion().isEmpty()) {
      meta.put("resourceVersion", c.meta().resourceVersion());
    }
    if (!c.meta().labels().isEmpty()) {
      meta.put("labels", c.meta().labels());
    }
    if (!c.meta().annotations().isEmpty()) {
      meta.put("annotations", c.meta().annotations());
    }
    return meta;
  }

  private static Map<String, Object> problem(ConfigError e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("field", e.field());
    m.put("reason", e.reason());
    m.put("message", e.message());
    return m;
  }
}
