package dev.mizzen.pilot.metrics;

import dev.mizzen.ingest.model.ConfigError;
import dev.mizzen.ingest.model.Kind;
import dev.mizzen.ingest.model.Printable;
import dev.mizzen.pilot.analysis.Analysis;
import dev.mizzen.pilot.analysis.AnalysisMessage;
import dev.mizzen.pilot.cache.TypeUrls;
import dev.mizzen.pilot.proxy.Proxy;
import dev.mizzen.pilot.xds.ProxyConnection;
import dev.mizzen.pilot.xds.XdsEvents;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.NamingConvention;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * istiod's metrics, under istiod's names and labels, so that existing dashboards and alerts work.
 *
 * <p>istiod exports its counters without the {@code _total} suffix that Micrometer's Prometheus
 * registry adds to counters; to keep the names, Mizzen's counters are monotonic values exported as
 * gauges. {@code rate()} and {@code increase()} work on them as on istiod's.
 */
public final class PilotMetrics implements XdsEvents {
  /** istiod's buckets for convergence, in seconds. */
  private static final double[] CONVERGENCE_BUCKETS = {0.1, 0.5, 1, 3, 5, 10, 20, 30};

  private static final double[] SHORT_BUCKETS = {0.01, 0.1, 1, 3, 5, 10, 20, 30};
  private static final double[] SIZE_BUCKETS = {
    1, 10_000, 1_000_000, 4_000_000, 10_000_000, 40_000_000
  };

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicLong connected = new AtomicLong();
  private final ConcurrentMap<List<String>, AtomicLong> counters = new ConcurrentHashMap<>();
  private final ConcurrentMap<List<String>, AtomicLong> levels = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, DistributionSummary> summaries = new ConcurrentHashMap<>();
  private final Map<String, Instant> pushStarts =
      new LinkedHashMap<>(64, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Instant> eldest) {
          return size() > 256;
        }
      };

  /** One proxy's convergence, for the dashboard. */
  public record Convergence(Instant at, String proxy, String type, double seconds) {}

  private final ArrayDeque<Convergence> recent = new ArrayDeque<>();

  /** The last convergences measured, oldest first. */
  public List<Convergence> recentConvergence() {
    synchronized (recent) {
      return List.copyOf(recent);
    }
  }

  public PilotMetrics() {
    NamingConvention prometheus = registry.config().namingConvention();
    registry
        .config()
        .namingConvention(
            new NamingConvention() {
              @Override
              public String name(String name, Meter.Type type, String baseUnit) {
                // istiod's names carry no unit suffix ("pilot_proxy_convergence_time", seconds).
                return prometheus.name(name, type, name.startsWith("pilot_") ? null : baseUnit);
              }

              @Override
              public String tagKey(String key) {
                return prometheus.tagKey(key);
              }
            });
    Gauge.builder("pilot_xds", connected, AtomicLong::get)
        .description("Proxies connected over xDS.")
        .register(registry);
    atZero();
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
  }

  /**
   * Every counter an alert may watch exists from the start, at zero, with each label value known in
   * advance: {@code rate()} works before the first event, and an absent series means a broken
   * scrape, not a quiet mesh.
   */
  private void atZero() {
    for (String type : List.of("cds", "eds", "lds", "rds")) {
      counter(PUSHES, PUSHES_HELP, "type", type);
      counter(REJECTS, REJECTS_HELP, "type", type);
      counter(EXPIRED_NONCE, EXPIRED_NONCE_HELP, "type", type);
    }
    for (String type : List.of("config", "eds", "svc")) {
      counter(INBOUND, INBOUND_HELP, "type", type);
    }
    for (String type : TRIGGERS) {
      counter(TRIGGERS_NAME, TRIGGERS_HELP, "type", type);
    }
    for (Kind<?> kind : Kind.all()) {
      for (String event : List.of("add", "update", "delete")) {
        counter(K8S_EVENTS, K8S_EVENTS_HELP, "type", kind.name(), "event", event);
      }
    }
    for (XdsEvents.Status status : XdsEvents.Status.values()) {
      counter(REFUSED, REFUSED_HELP, "reason", status.name().toLowerCase(Locale.ROOT));
    }
    counter(WRITE_TIMEOUT, WRITE_TIMEOUT_HELP);
    counter(CONTEXT_ERRORS, CONTEXT_ERRORS_HELP);
    queueTime();
  }

  private static final String PUSHES = "pilot_xds_pushes";
  private static final String PUSHES_HELP = "Responses sent to proxies, by xDS type.";
  private static final String REJECTS = "pilot_total_xds_rejects";
  private static final String REJECTS_HELP = "Responses proxies refused (NACKed), by xDS type.";
  private static final String EXPIRED_NONCE = "pilot_xds_expired_nonce";
  private static final String EXPIRED_NONCE_HELP =
      "Requests answering a response other than the last one sent, by xDS type; they are ignored.";
  private static final String INBOUND = "pilot_inbound_updates";
  private static final String INBOUND_HELP =
      "Config and registry updates received, by kind of update.";
  private static final String TRIGGERS_NAME = "pilot_push_triggers";
  private static final String TRIGGERS_HELP =
      "Pushes, by what triggered them: config, service, endpoint, or global (start-up, the roll).";
  private static final List<String> TRIGGERS = List.of("config", "service", "endpoint", "global");
  private static final String K8S_EVENTS = "pilot_k8s_cfg_events";
  private static final String K8S_EVENTS_HELP =
      "Informer events of member namespaces' objects, by kind and event.";
  private static final String REFUSED = "pilot_xds_refused_streams";
  private static final String REFUSED_HELP = "Streams refused before they were served, by reason.";
  private static final String WRITE_TIMEOUT = "pilot_xds_write_timeout";
  private static final String WRITE_TIMEOUT_HELP =
      "Times a stream's transport did not take its responses within the push queue's lease.";
  private static final String CONTEXT_ERRORS = "pilot_xds_push_context_errors";
  private static final String CONTEXT_ERRORS_HELP =
      "Config that could not be built in a push: each group that kept its last good config.";

  private DistributionSummary queueTime() {
    return seconds(
        "pilot_proxy_queue_time",
        "Seconds a proxy waited in the push queue before its responses were written.",
        SHORT_BUCKETS);
  }

  /** An informer event of an object in a member namespace. */
  public void kubeEvent(String kind, String event) {
    counter(K8S_EVENTS, K8S_EVENTS_HELP, "type", kind, "event", event).incrementAndGet();
  }

  /**
   * A push started, for these reasons ({@code config}, {@code service}, {@code endpoint}, {@code
   * global}); {@code failedGroups} groups kept their last good config.
   */
  public void pushTriggered(Iterable<String> reasons, int failedGroups) {
    for (String reason : reasons) {
      counter(TRIGGERS_NAME, TRIGGERS_HELP, "type", reason).incrementAndGet();
    }
    if (failedGroups > 0) {
      counter(CONTEXT_ERRORS, CONTEXT_ERRORS_HELP).addAndGet(failedGroups);
    }
  }

  @Override
  public void expiredNonce(ProxyConnection conn, String type) {
    counter(EXPIRED_NONCE, EXPIRED_NONCE_HELP, "type", istioType(type)).incrementAndGet();
  }

  @Override
  public void dequeued(ProxyConnection conn, long waitedNanos) {
    queueTime().record(waitedNanos / 1e9);
  }

  @Override
  public void writeTimedOut(ProxyConnection conn) {
    counter(WRITE_TIMEOUT, WRITE_TIMEOUT_HELP).incrementAndGet();
  }

  /** The Prometheus text exposition. */
  public String scrape() {
    return registry.scrape();
  }

  // ---- pushes ----

  /**
   * A push started whose version proxies will acknowledge; {@code triggeredAt} is its first change.
   */
  public void pushStarted(String version, Instant triggeredAt) {
    synchronized (pushStarts) {
      pushStarts.put(version, triggeredAt);
    }
  }

  /** How long changes waited in the debounce, and how many were merged. */
  public void debounced(long waitedNanos) {
    seconds(
            "pilot_debounce_time",
            "Seconds from the first change of a burst to the start of its push.",
            SHORT_BUCKETS)
        .record(waitedNanos / 1e9);
  }

  public void pushContextBuilt(long nanos) {
    seconds(
            "pilot_pushcontext_init_seconds",
            "Seconds spent building a push context.",
            SHORT_BUCKETS)
        .record(nanos / 1e9);
  }

  /** Config updates received, by istiod's type: config, eds, svc. */
  public void inboundUpdate(String type, int n) {
    counter(INBOUND, INBOUND_HELP, "type", type).addAndGet(n);
  }

  /** A secret that config names and that cannot be served (missing, malformed, elsewhere). */
  public void secretNotServed() {
    counter(
            "pilot_sds_certificate_errors_total",
            "Secrets named by credentialName that could not be served.")
        .incrementAndGet();
  }

  /**
   * The number of services, of hosts with a subset that several DestinationRules define, and of
   * refused objects at the last push.
   */
  public void pushed(int services, int duplicateSubsetHosts, List<ConfigError> refused) {
    level("pilot_services", "Services of the member namespaces.").set(services);
    level(
            "pilot_destrule_subsets",
            "Hosts with a subset defined by more than one merged DestinationRule.")
        .set(duplicateSubsetHosts);
    Map<String, Long> byKind = new LinkedHashMap<>();
    for (ConfigError e : refused) {
      byKind.merge(e.kind().isEmpty() ? "unknown" : e.kind(), 1L, Long::sum);
    }
    levels.forEach(
        (key, value) -> {
          if (key.get(0).equals("pilot_total_rejected_configs")
              && !byKind.containsKey(key.get(2))) {
            value.set(0);
          }
        });
    byKind.forEach(
        (kind, n) ->
            level(
                    "pilot_total_rejected_configs",
                    "Objects currently refused, by kind.",
                    "type",
                    kind)
                .set(n));
  }

  /**
   * The analysis messages of the last push, by code and level ({@code mizzen_analysis_messages}:
   * istiod has no such metric; its analysis writes status only). A code no longer found reads 0.
   */
  public void analyzed(Analysis analysis) {
    Map<List<String>, Long> byCode = new LinkedHashMap<>();
    for (AnalysisMessage m : analysis.messages()) {
      byCode.merge(List.of(m.type().code(), m.type().level().display()), 1L, Long::sum);
    }
    levels.forEach(
        (key, value) -> {
          if (key.get(0).equals(ANALYSIS) && !byCode.containsKey(List.of(key.get(2), key.get(4)))) {
            value.set(0);
          }
        });
    byCode.forEach(
        (codeAndLevel, n) ->
            level(
                    ANALYSIS,
                    "Analysis messages of the last push, by code and level.",
                    "code",
                    codeAndLevel.get(0),
                    "level",
                    codeAndLevel.get(1))
                .set(n));
  }

  private static final String ANALYSIS = "mizzen_analysis_messages";

  // ---- streams ----

  @Override
  public void connected(ProxyConnection conn) {
    connected.incrementAndGet();
  }

  @Override
  public void disconnected(ProxyConnection conn) {
    if (conn.proxy() != null) {
      connected.decrementAndGet();
    }
  }

  @Override
  public void sent(ProxyConnection conn, String type, int resources, long bytes, long nanos) {
    String t = istioType(type);
    counter(PUSHES, PUSHES_HELP, "type", t).incrementAndGet();
    seconds(
            "pilot_xds_push_time",
            "Seconds spent handing one response to the transport, by xDS type.",
            SHORT_BUCKETS,
            "type",
            t)
        .record(nanos / 1e9);
    summary(
            "pilot_xds_config_size_bytes",
            "Bytes of resources in one response, by xDS type.",
            SIZE_BUCKETS,
            "type",
            t)
        .record(bytes);
  }

  @Override
  public void acknowledged(ProxyConnection conn, String type, String version, Instant sentAt) {
    Instant start;
    synchronized (pushStarts) {
      start = pushStarts.get(version);
    }
    if (start != null) {
      // A proxy that connected after the change converges from when it connected.
      if (conn.connectedAt().isAfter(start)) {
        start = conn.connectedAt();
      }
      long nanos = Math.max(0, Duration.between(start, Instant.now()).toNanos());
      synchronized (recent) {
        if (recent.size() == 200) {
          recent.removeFirst();
        }
        recent.addLast(
            new Convergence(Instant.now(), conn.proxy().shortId(), istioType(type), nanos / 1e9));
      }
      seconds(
              "pilot_proxy_convergence_time",
              "Seconds from a config change to a proxy acknowledging the config it produced.",
              CONVERGENCE_BUCKETS)
          .record(nanos / 1e9);
    }
  }

  @Override
  public void rejected(ProxyConnection conn, String type, String version, String error) {
    String t = istioType(type);
    counter(REJECTS, REJECTS_HELP, "type", t).incrementAndGet();
    Proxy p = conn.proxy();
    level(
            "pilot_xds_" + t + "_reject",
            "Proxies refusing " + t + " config, with the reason they gave.",
            "node",
            p.id(),
            "err",
            Printable.of(error))
        .set(1);
  }

  @Override
  public void refused(String nodeId, Status status, String reason) {
    counter(REFUSED, REFUSED_HELP, "reason", status.name().toLowerCase(Locale.ROOT))
        .incrementAndGet();
  }

  /** istiod's short type names in metric labels: cds, eds, lds, rds. */
  static String istioType(String typeUrl) {
    if (TypeUrls.CLUSTER.equals(typeUrl)) {
      return "cds";
    }
    if (TypeUrls.ENDPOINT.equals(typeUrl)) {
      return "eds";
    }
    if (TypeUrls.LISTENER.equals(typeUrl)) {
      return "lds";
    }
    if (TypeUrls.ROUTE.equals(typeUrl)) {
      return "rds";
    }
    return TypeUrls.shortName(typeUrl);
  }

  private AtomicLong counter(String name, String help, String... tags) {
    return gaugeValue(counters, name, help, tags);
  }

  /** The registry the metrics are in, for other parts to add theirs (the CA's). */
  public io.micrometer.core.instrument.MeterRegistry registry() {
    return registry;
  }

  private AtomicLong level(String name, String help, String... tags) {
    return gaugeValue(levels, name, help, tags);
  }

  private AtomicLong gaugeValue(
      ConcurrentMap<List<String>, AtomicLong> map, String name, String help, String... tags) {
    List<String> key = new ArrayList<>(tags.length + 1);
    key.add(name);
    key.addAll(List.of(tags));
    return map.computeIfAbsent(
        List.copyOf(key),
        k -> {
          AtomicLong value = new AtomicLong();
          Gauge.builder(name, value, AtomicLong::get)
              .description(help)
              .tags(Tags.of(tags))
              .register(registry);
          return value;
        });
  }

  /**
   * A histogram of seconds under exactly {@code name}: recorded as a distribution summary, since
   * the Prometheus registry appends {@code _seconds} to the names of timers and istiod's names
   * carry no such suffix ({@code pilot_proxy_convergence_time}).
   */
  private DistributionSummary seconds(
      String name, String help, double[] bucketSeconds, String... tags) {
    return summary(name, help, bucketSeconds, tags);
  }

  private DistributionSummary summary(String name, String help, double[] buckets, String... tags) {
    String key = name + String.join("\u0000", tags);
    return summaries.computeIfAbsent(
        key,
        k ->
            DistributionSummary.builder(name)
                .description(help)
                .tags(Tags.of(tags))
                .serviceLevelObjectives(buckets)
                .register(registry));
  }
}
