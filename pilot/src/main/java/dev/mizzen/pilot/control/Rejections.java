package dev.mizzen.pilot.control;

import com.google.protobuf.Message;
import dev.mizzen.envoyrules.RuleViolation;
import dev.mizzen.ingest.model.ObjectRef;
import dev.mizzen.pilot.cache.TypeUrls;
import dev.mizzen.pilot.push.PushContext;
import dev.mizzen.pilot.xds.ProxyConnection;
import dev.mizzen.pilot.xds.ProxyStreams;
import dev.mizzen.pilot.xds.XdsEvents;
import io.envoyproxy.controlplane.cache.Resources;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Traces what proxies refuse back to the config objects that produced it: when a proxy NACKs, the
 * resources it refused (those its complaint names, else all the response carried) and the objects
 * behind them are recorded until the proxy accepts that type again or goes away. A group's snapshot
 * that Mizzen itself held back for breaking Envoy's rules is recorded the same way, under the
 * group's name, until the group's resources pass again.
 */
public final class Rejections implements XdsEvents {
  private static final Logger log = LoggerFactory.getLogger("dev.mizzen.xds");

  /** Enough names to find the culprit; a listing of thousands helps nobody. */
  private static final int MAX_RESOURCES = 20;

  /** Keys of snapshots held back by Mizzen, apart from the streams' keys. */
  private static final String HELD = "held ";

  /**
   * One proxy's refusal of one type.
   *
   * @param proxy the proxy, as POD.NAMESPACE
   * @param type the xDS type's short name
   * @param version the refused version
   * @param error the proxy's reason
   * @param resources the refused resources (at most 20)
   * @param objects the config objects they came from
   */
  public record Rejection(
      String proxy,
      String type,
      String version,
      String error,
      List<String> resources,
      List<ObjectRef> objects,
      Instant at) {}

  private final ConcurrentHashMap<String, Rejection> current = new ConcurrentHashMap<>();
  private final Supplier<ProxyStreams<?>> cache;
  private final Supplier<PushContext> push;

  /** Where a new refusal is also told (events on the objects, in a cluster). */
  private volatile Consumer<Rejection> sink = r -> {};

  Rejections(Supplier<ProxyStreams<?>> cache, Supplier<PushContext> push) {
    this.cache = cache;
    this.push = push;
  }

  /** Every refusal standing now, by proxy and type. */
  public List<Rejection> current() {
    List<Rejection> all = new ArrayList<>(current.values());
    all.sort(Comparator.comparing(Rejection::proxy).thenComparing(Rejection::type));
    return all;
  }

  /** The standing refusals that involve {@code ref}. */
  public List<Rejection> of(ObjectRef ref) {
    return current().stream().filter(r -> r.objects().contains(ref)).toList();
  }

  @Override
  public void rejected(ProxyConnection conn, String type, String version, String error) {
    PushContext p = push.get();
    ProxyStreams<?> c = cache.get();
    if (p == null || c == null || conn.proxy() == null) {
      return;
    }
    List<String> names = new ArrayList<>();
    for (Message m : c.served(conn, type)) {
      names.add(Resources.getResourceName(m));
    }
    List<String> named = names.stream().filter(error::contains).toList();
    List<String> refused = named.isEmpty() ? names : named;
    Provenance provenance = new Provenance(p, conn.proxy().namespace());
    Set<ObjectRef> objects = new LinkedHashSet<>();
    for (String name : refused) {
      objects.addAll(provenance.of(type, name, error));
    }
    Rejection r =
        new Rejection(
            conn.proxy().shortId(),
            TypeUrls.shortName(type),
            version,
            error,
            List.copyOf(refused.subList(0, Math.min(MAX_RESOURCES, refused.size()))),
            List.copyOf(objects),
            Instant.now());
    current.put(key(conn, type), r);
    sink.accept(r);
    log.warn(
        "proxy {} refused {} {} from {}",
        r.proxy(),
        r.type(),
        named.isEmpty() ? "(all " + names.size() + " resources)" : String.join(", ", r.resources()),
        objects.isEmpty()
            ? "no known object"
            : objects.stream().map(ObjectRef::toString).reduce((a, b) -> a + ", " + b).orElse(""));
  }

  /**
   * Records that a group's new resources of one type broke Envoy's validation rules and were not
   * published (with {@code --validate-output}): its proxies keep their last good config, as if they
   * had refused the new one, and the objects behind the offending resources are named the same way.
   * Logged once per distinct set of violations.
   */
  void held(
      String group,
      String namespace,
      String typeUrl,
      String version,
      List<RuleViolation> violations,
      PushContext p) {
    Provenance provenance = new Provenance(p, namespace);
    Set<String> names = new LinkedHashSet<>();
    Set<ObjectRef> objects = new LinkedHashSet<>();
    for (RuleViolation v : violations) {
      names.add(v.resourceName());
      objects.addAll(provenance.of(typeUrl, v.resourceName(), v.path()));
    }
    String error =
        "not published: breaks Envoy's validation rules: "
            + String.join("; ", violations.stream().map(RuleViolation::toString).toList());
    List<String> resources = List.copyOf(names);
    Rejection r =
        new Rejection(
            group,
            TypeUrls.shortName(typeUrl),
            version,
            error,
            resources.subList(0, Math.min(MAX_RESOURCES, resources.size())),
            List.copyOf(objects),
            Instant.now());
    Rejection before = current.put(HELD + group + " " + typeUrl, r);
    if (before != null && before.error().equals(error)) {
      return;
    }
    sink.accept(r);
    log.error(
        "config for proxies {} is not published: {} {} from {} breaks Envoy's validation rules: {}",
        group,
        r.type(),
        String.join(", ", r.resources()),
        objects.isEmpty()
            ? "no known object"
            : objects.stream().map(ObjectRef::toString).reduce((a, b) -> a + ", " + b).orElse(""),
        String.join("; ", violations.stream().map(RuleViolation::toString).toList()));
  }

  /** The group's resources of {@code typeUrl} pass Envoy's rules again. */
  void published(String group, String typeUrl) {
    current.remove(HELD + group + " " + typeUrl);
  }

  /** Tells {@code sink} of every refusal from now on, as it is recorded. */
  public void reportTo(Consumer<Rejection> sink) {
    this.sink = sink;
  }

  @Override
  public void acknowledged(ProxyConnection conn, String type, String version, Instant sentAt) {
    current.remove(key(conn, type));
  }

  @Override
  public void disconnected(ProxyConnection conn) {
    for (String type : TypeUrls.PUSH_ORDER) {
      current.remove(key(conn, type));
    }
  }

  private static String key(ProxyConnection conn, String type) {
    return conn.streamId() + " " + type;
  }

  /** For debug output: the refusals of one proxy by type. */
  public Map<String, Rejection> ofProxy(String shortId) {
    Map<String, Rejection> m = new TreeMap<>();
    for (Rejection r : current.values()) {
      if (r.proxy().equals(shortId)) {
        m.put(r.type(), r);
      }
    }
    return m;
  }
}
