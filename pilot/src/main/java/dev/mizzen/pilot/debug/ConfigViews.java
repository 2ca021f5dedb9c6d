package dev.mizzen.pilot.debug;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.ConfigError;
import dev.mizzen.ingest.model.Kind;
import dev.mizzen.ingest.model.ServiceSpec;
import dev.mizzen.pilot.analysis.AnalysisMessage;
import dev.mizzen.pilot.analysis.Level;
import dev.mizzen.pilot.control.PushPipeline;
import dev.mizzen.pilot.control.PushStatus;
import dev.mizzen.pilot.control.Rejections;
import dev.mizzen.pilot.metrics.PilotMetrics;
import dev.mizzen.pilot.push.Endpoint;
import dev.mizzen.pilot.push.MeshService;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What the debug endpoints show of the config and registry of the last push. */
final class ConfigViews {
  private final PushPipeline pipeline;

  private final PilotMetrics metrics;

  ConfigViews(PushPipeline pipeline, PilotMetrics metrics) {
    this.pipeline = pipeline;
    this.metrics = metrics;
  }

  /** istiod's /debug/registryz: the services of the member namespaces. */
  List<Map<String, Object>> registryz(Map<String, String> query) {
    PushStatus status = pipeline.status();
    List<Map<String, Object>> out = new ArrayList<>();
    for (MeshService s : services(status, query)) {
      Map<String, Object> e = new LinkedHashMap<>();
      Map<String, Object> attributes = new LinkedHashMap<>();
      attributes.put("ServiceRegistry", s.kubernetes() ? "Kubernetes" : "External");
      attributes.put("Name", s.name());
      attributes.put("Namespace", s.namespace());
      status
          .config()
          .get(Kind.SERVICE, s.namespace(), s.name())
          .ifPresent(c -> attributes.put("Labels", new TreeMap<>(c.meta().labels())));
      attributes.put("LabelSelectors", new TreeMap<>(s.selector()));
      e.put("Attributes", attributes);
      List<Map<String, Object>> ports = new ArrayList<>();
      for (ServiceSpec.ServicePort p : s.ports()) {
        Map<String, Object> port = new LinkedHashMap<>();
        port.put("name", p.name());
        port.put("port", p.port());
        port.put("protocol", p.protocol().name());
        ports.add(port);
      }
      e.put("ports", ports);
      e.put("hostname", s.hostname());
      e.put("defaultAddress", s.hasVip() ? s.vip() : "0.0.0.0");
      e.put(
          "Resolution",
          switch (s.discovery()) {
            case EDS -> "ClientSideLB";
            case DNS -> "DNSLB";
            case DNS_ROUND_ROBIN -> "DNSRoundRobinLB";
            case PASSTHROUGH -> "Passthrough";
          });
      e.put("MeshExternal", s.external());
      out.add(e);
    }
    return out;
  }

  /** The last push's services, of the namespace the query names if it names one. */
  private static List<MeshService> services(PushStatus status, Map<String, String> query) {
    if (status == null) {
      return List.of();
    }
    String namespace = query.getOrDefault("namespace", "");
    return status.push().services().stream()
        .filter(s -> namespace.isEmpty() || namespace.equals(s.namespace()))
        .toList();
  }

  /** istiod's /debug/endpointz: the endpoints of every service port. */
  List<Map<String, Object>> endpointz(Map<String, String> query) {
    PushStatus status = pipeline.status();
    List<Map<String, Object>> out = new ArrayList<>();
    for (MeshService s : services(status, query)) {
      for (ServiceSpec.ServicePort p : s.ports()) {
        List<Map<String, Object>> eps = new ArrayList<>();
        for (Endpoint ep : s.endpoints(p.port())) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("address", ep.ip());
          m.put("port", ep.port());
          m.put("labels", new TreeMap<>(ep.labels()));
          m.put("pod", ep.podName());
          eps.add(m);
        }
        Map<String, Object> e = new LinkedHashMap<>();
        e.put(
            "svc", s.hostname() + ":" + (p.name().isEmpty() ? String.valueOf(p.port()) : p.name()));
        e.put("ep", eps);
        out.add(e);
      }
    }
    return out;
  }

  /** istiod's /debug/push_status: the last push, its timing, refusals and warnings. */
  Map<String, Object> pushStatus() {
    PushStatus status = pipeline.status();
    Map<String, Object> out = new LinkedHashMap<>();
    if (status == null) {
      return out;
    }
    out.put("controlPlaneNamespace", status.membership().controlPlaneNamespace());
    out.put("pushVersion", status.push().version());
    out.put("Start", status.at().toString());
    out.put("End", status.at().plus(status.took()).toString());
    out.put("proxyGroups", status.groups());
    out.put("unsoundGroups", status.failedGroups());
    out.put("generated", new TreeMap<>(status.generated()));
    Map<String, Object> members = new LinkedHashMap<>();
    members.put("configured", status.membership().configured());
    members.put("pending", status.membership().pending());
    out.put("members", members);
    out.put("services", status.push().services().size());
    out.put("objects", status.config().size());
    out.put("refused", status.refused().stream().map(ConfigViews::problem).toList());
    out.put("warnings", status.warnings().stream().map(ConfigViews::problem).toList());
    Map<String, Integer> analysis = new LinkedHashMap<>();
    status.analysis().counts().forEach((level, n) -> analysis.put(level.display(), n));
    out.put("analysis", analysis);
    List<Map<String, Object>> pushes = new ArrayList<>();
    for (PushPipeline.PushSummary p : pipeline.recentPushes()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("version", p.version());
      m.put("at", p.at().toString());
      m.put("tookSeconds", p.took().toNanos() / 1e9);
      m.put("debounceSeconds", p.waited().toNanos() / 1e9);
      m.put("proxyGroups", p.groups());
      pushes.add(m);
    }
    out.put("recentPushes", pushes);
    List<Map<String, Object>> convergence = new ArrayList<>();
    if (metrics != null) {
      for (PilotMetrics.Convergence c : metrics.recentConvergence()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("at", c.at().toString());
        m.put("proxy", c.proxy());
        m.put("type", c.type());
        m.put("seconds", c.seconds());
        convergence.add(m);
      }
    }
    out.put("recentConvergence", convergence);
    return out;
  }

  /**
   * The analysis of the last push (Mizzen's; istiod writes it to status only): how many messages of
   * each level, and each message as {@code mizzen analyze -o json} shows it, of the namespace the
   * query names if it names one.
   */
  Map<String, Object> analyze(Map<String, String> query) {
    PushStatus status = pipeline.status();
    Map<String, Object> out = new LinkedHashMap<>();
    if (status == null) {
      return out;
    }
    String namespace = query.getOrDefault("namespace", "");
    List<AnalysisMessage> messages =
        namespace.isEmpty() ? status.analysis().messages() : status.analysis().in(namespace);
    out.put("pushVersion", status.push().version());
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (Level l : Level.values()) {
      counts.put(l.display(), 0);
    }
    messages.forEach(m -> counts.merge(m.type().level().display(), 1, Integer::sum));
    out.put("counts", counts);
    out.put("messages", messages.stream().map(AnalysisMessage::json).toList());
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
      warnings
          .computeIfAbsent(w.kind() + "/" + w.namespace() + "/" + w.name(), k -> new ArrayList<>())
          .add(w);
    }
    // Accepted, but served fail closed: the part in error denies rather than allows.
    Map<String, List<ConfigError>> errors = new LinkedHashMap<>();
    for (ConfigError w : status.push().authz().errors()) {
      errors
          .computeIfAbsent(w.kind() + "/" + w.namespace() + "/" + w.name(), k -> new ArrayList<>())
          .add(w);
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
        // A stand-in is served for a security object that was refused: not accepted, but served.
        e.put("accepted", !c.isStandIn());
        if (c.isStandIn()) {
          e.put("servedFailClosed", true);
        }
        e.put("origin", c.origin());
        List<ConfigError> ws =
            warnings.getOrDefault(kind.name() + "/" + c.namespace() + "/" + c.name(), List.of());
        if (!ws.isEmpty()) {
          e.put("warnings", ws.stream().map(ConfigViews::problem).toList());
        }
        List<Map<String, Object>> refusedBy = new ArrayList<>();
        for (Rejections.Rejection r : pipeline.rejections().of(c.ref())) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("proxy", r.proxy());
          m.put("type", r.type());
          m.put("version", r.version());
          m.put("error", r.error());
          m.put("resources", r.resources());
          m.put("at", r.at().toString());
          refusedBy.add(m);
        }
        if (!refusedBy.isEmpty()) {
          e.put("rejections", refusedBy);
        }
        List<ConfigError> es =
            errors.getOrDefault(kind.name() + "/" + c.namespace() + "/" + c.name(), List.of());
        if (!es.isEmpty()) {
          e.put("errors", es.stream().map(ConfigViews::problem).toList());
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
    m.put("object", e.object());
    m.put("field", e.field());
    m.put("reason", e.reason());
    m.put("message", e.message());
    return m;
  }
}
