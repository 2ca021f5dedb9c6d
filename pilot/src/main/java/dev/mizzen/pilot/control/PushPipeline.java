package dev.mizzen.pilot.control;

import dev.mizzen.envoyrules.EnvoyRules;
import dev.mizzen.ingest.debounce.Debouncer;
import dev.mizzen.ingest.model.ConfigError;
import dev.mizzen.ingest.model.Kind;
import dev.mizzen.ingest.model.SecretRef;
import dev.mizzen.ingest.store.ConfigChange;
import dev.mizzen.ingest.store.ConfigSnapshot;
import dev.mizzen.ingest.store.ConfigStore;
import dev.mizzen.pilot.cache.GroupSnapshot;
import dev.mizzen.pilot.cache.SnapshotCache;
import dev.mizzen.pilot.cache.TypeUrls;
import dev.mizzen.pilot.generate.ConfigGenerator;
import dev.mizzen.pilot.generate.GroupKey;
import dev.mizzen.pilot.metrics.PilotMetrics;
import dev.mizzen.pilot.proxy.Proxy;
import dev.mizzen.pilot.push.Endpoint;
import dev.mizzen.pilot.push.MeshSettings;
import dev.mizzen.pilot.push.PushContext;
import dev.mizzen.pilot.xds.ProxyStreams;
import dev.mizzen.tenancy.MemberRollResolver;
import dev.mizzen.tenancy.Membership;
import io.grpc.Status;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * From config to proxies: on every (debounced) change, decides the members, builds a new push
 * context from the member namespaces' config, regenerates each connected group's snapshot and
 * publishes the sound ones. One push runs at a time.
 */
public final class PushPipeline implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PushPipeline.class);

  private final ConfigStore store;
  private final MemberRollResolver resolver;
  private final MeshSettings mesh;
  private final Clock clock;
  private final GroupBuilder builder;
  private final ProxyStreams<GroupKey> streams;
  private final Debouncer<Trigger> debouncer;

  /** What the watched Secrets hold now; nothing until a source of Secrets is given. */
  private volatile Supplier<Map<SecretRef, Map<String, String>>> secrets = Map::of;

  /** What set off a push: config, Secrets, or both (merged by the debounce). */
  record Trigger(ConfigChange change, Set<SecretRef> secrets) {
    Trigger merge(Trigger other) {
      Set<SecretRef> all = new HashSet<>(secrets);
      all.addAll(other.secrets);
      return new Trigger(change.merge(other.change), Set.copyOf(all));
    }
  }

  private final Object pushLock = new Object();
  private final PilotMetrics metrics;
  private final Rejections rejections;
  private volatile PushStatus status;

  /** The last push's verdict, which the next one may build on; guarded by the push lock. */
  private Verdict lastVerdict;

  private long pushes;

  /**
   * The last pushes, as what /debug shows of them. Never a push's status itself: that holds the
   * whole mesh of its push, and sixty of those are most of a large mesh's heap.
   */
  private final ArrayDeque<PushSummary> recent = new ArrayDeque<>();

  /** What is kept of a past push. */
  public record PushSummary(
      String version, Instant at, Duration took, Duration waited, int groups) {}

  /** Told of every push once it is done (events on refused objects, status, in a cluster). */
  private final List<Consumer<PushStatus>> afterPush = new CopyOnWriteArrayList<>();

  /** The last pushes, oldest first. */
  public List<PushSummary> recentPushes() {
    synchronized (recent) {
      return List.copyOf(recent);
    }
  }

  public PushPipeline(
      ConfigStore store,
      MemberRollResolver resolver,
      MeshSettings mesh,
      Clock clock,
      Duration debounceQuiet,
      Duration debounceMax,
      PilotMetrics metrics) {
    this(store, resolver, mesh, clock, debounceQuiet, debounceMax, metrics, false);
  }

  /**
   * @param validateOutput check every regenerated resource against Envoy's validation rules before
   *     publishing, and hold back a group's snapshot that breaks one
   */
  public PushPipeline(
      ConfigStore store,
      MemberRollResolver resolver,
      MeshSettings mesh,
      Clock clock,
      Duration debounceQuiet,
      Duration debounceMax,
      PilotMetrics metrics,
      boolean validateOutput) {
    if (validateOutput) {
      // Reads every Envoy type (seconds on a busy machine): done here, on one thread, before any
      // stream opens, rather than in the first push while gRPC threads load the same classes.
      EnvoyRules.get();
    }
    this.metrics = metrics;
    this.rejections = new Rejections(this::streams, () -> status == null ? null : status.push());
    this.builder = new GroupBuilder(validateOutput ? rejections : null);
    this.store = store;
    this.resolver = resolver;
    this.mesh = mesh;
    this.clock = clock;
    this.streams = new ProxyStreams<>(builder::keyOf, builder, clock);
    this.debouncer =
        new Debouncer<>(
            "mizzen-push",
            debounceQuiet,
            t -> maxWait(t, debounceQuiet, debounceMax),
            Trigger::merge,
            d -> {
              metrics.debounced(d.waitedNanos());
              push(System.nanoTime() - d.waitedNanos(), d.change());
            });
    builder.onSecrets(named -> {}, this::secretNotServed);
  }

  /**
   * The longest a trigger waits for quiet: endpoints alone wait at most five quiet periods (500 ms
   * with istiod's 100 ms), since in a large mesh they change without pause (rollouts, autoscaling)
   * and a push of a few services' load assignments is cheap; anything else as long as {@code max}.
   */
  static Duration maxWait(Trigger t, Duration quiet, Duration max) {
    if (!t.secrets().isEmpty() || !PushScope.only(t.change(), PushScope.ENDPOINT_KINDS)) {
      return max;
    }
    Duration endpoints = quiet.multipliedBy(5);
    return endpoints.compareTo(max) < 0 ? endpoints : max;
  }

  /** Counts updates the way istiod labels them: registry (svc, eds) or config. */
  private void received(ConfigChange change) {
    int services = 0;
    int endpoints = 0;
    int config = 0;
    for (var ref : change.objects()) {
      if (ref.kind() == Kind.SERVICE) {
        services++;
      } else if (PushScope.ENDPOINT_KINDS.contains(ref.kind())) {
        endpoints++;
      } else {
        config++;
      }
    }
    if (services > 0) {
      metrics.inboundUpdate("svc", services);
    }
    if (endpoints > 0) {
      metrics.inboundUpdate("eds", endpoints);
    }
    if (config > 0) {
      metrics.inboundUpdate("config", config);
    }
    debouncer.submit(new Trigger(change, Set.of()));
  }

  /**
   * Serves the Secrets that config names by {@code credentialName} from {@code data}, and says
   * which Secrets are named to {@code named} whenever that changes (to be watched). Call before
   * {@link #start}; then call {@link #secretsChanged} when a watched Secret changes.
   */
  public void serveSecrets(
      Supplier<Map<SecretRef, Map<String, String>>> data, Consumer<Set<SecretRef>> named) {
    this.secrets = data;
    builder.onSecrets(named, this::secretNotServed);
  }

  /** Why a secret that config names is not served: logged and counted. */
  private void secretNotServed(String problem) {
    metrics.secretNotServed();
    log.warn("{}", problem);
  }

  /** Pushes the secrets of the groups that are served {@code changed} Secrets. */
  public void secretsChanged(Set<SecretRef> changed) {
    metrics.inboundUpdate("config", changed.size());
    debouncer.submit(new Trigger(ConfigChange.none(), Set.copyOf(changed)));
  }

  /**
   * Pushes once, then pushes again after every change to the store. Call after the sources have
   * made their first full read, so that no push sees half of it.
   */
  public PushStatus start() {
    store.addListener(this::received);
    return push();
  }

  /**
   * Tells {@code listener} of every push from now on, on the push thread, once it is done, after
   * those added before it. A listener that throws is logged; the others are still told.
   */
  public void afterPush(Consumer<PushStatus> listener) {
    afterPush.add(listener);
  }

  /** What proxies refuse now, traced back to config objects. */
  public Rejections rejections() {
    return rejections;
  }

  /** The streams of the connected proxies, and the cache of snapshots they are served from. */
  public ProxyStreams<GroupKey> streams() {
    return streams;
  }

  public MeshSettings mesh() {
    return mesh;
  }

  /** The last push's outcome; null before the first push. */
  public PushStatus status() {
    return status;
  }

  /** Why a proxy may not connect, or empty when its namespace is a member. */
  public Optional<String> admission(Proxy proxy) {
    PushStatus s = status;
    Membership m =
        s == null ? Membership.controlPlaneOnly(mesh.controlPlaneNamespace()) : s.membership();
    if (m.isMember(proxy.namespace())) {
      return Optional.empty();
    }
    return Optional.of(notAMember(proxy.namespace()));
  }

  private String notAMember(String namespace) {
    return "namespace \""
        + namespace
        + "\" is not a member of the mesh of control plane \""
        + mesh.controlPlaneNamespace()
        + "\" (ServiceMeshMemberRoll "
        + resolver.controlPlaneNamespace()
        + "/"
        + resolver.rollName()
        + ")";
  }

  /** Pushes now, on the caller's thread. */
  public PushStatus push() {
    return push(System.nanoTime(), new Trigger(ConfigChange.none(), Set.of()));
  }

  /**
   * Pushes now.
   *
   * @param triggeredAtNanos when the first change it carries arrived
   * @param trigger what changed
   */
  private PushStatus push(long triggeredAtNanos, Trigger trigger) {
    ConfigChange change = trigger.change();
    synchronized (pushLock) {
      Instant start = clock.instant();
      long startNanos = System.nanoTime();
      ConfigSnapshot all = store.snapshot();
      long buildStart = System.nanoTime();
      Verdict verdict =
          Verdict.after(lastVerdict, change, all, resolver.resolve(all), mesh, ++pushes, start);
      lastVerdict = verdict;
      metrics.pushContextBuilt(System.nanoTime() - buildStart);
      Membership membership = verdict.membership();
      int ignored = verdict.ignored();
      if (ignored > 0 && log.isDebugEnabled()) {
        logIgnored(all, membership);
      }
      PushContext context = verdict.push();
      metrics.pushStarted(
          context.version(), start.minusNanos(Math.max(0, startNanos - triggeredAtNanos)));
      long contextNanos = System.nanoTime() - buildStart;
      ConfigGenerator next = new ConfigGenerator(context);
      builder.use(next, secrets.get());
      SnapshotCache<GroupKey, ?> cache = streams.cache();
      // A proxy's shape depends on the push: the services it serves, the labels policies select on.
      // Groups of a new shape are built whole, as they join.
      Set<GroupKey> known = cache.keys();
      PushContext lastPush = status == null ? null : status.push();
      PushScope scope = PushScope.of(change, trigger.secrets(), mesh.rootNamespace());
      // Endpoints alone: only the services whose endpoints now differ are regenerated.
      Optional<Set<String>> endpointHosts =
          scope.endpointsOnly() && lastPush != null
              ? context.endpointsChangedSince(lastPush)
              : Optional.empty();
      // VirtualServices alone: only the groups whose scope holds a host they name or cover.
      Optional<RouteReach> routes =
          lastPush == null || !trigger.secrets().isEmpty()
              ? Optional.empty()
              : RouteReach.of(
                  change, status.config(), status.refused(), all, verdict.refused(), mesh);
      long regroupStart = System.nanoTime();
      streams.regroup(mayHaveMoved(trigger, lastPush, context, endpointHosts));
      long regroupNanos = System.nanoTime() - regroupStart;
      long groupsStart = System.nanoTime();
      int groups = 0;
      int failed = 0;
      Map<String, Integer> generated = new TreeMap<>();
      for (GroupKey key : cache.keys()) {
        Optional<GroupSnapshot<GroupKey>> previous = cache.snapshot(key);
        boolean fresh =
            !known.contains(key)
                && previous.isPresent()
                && previous.get().push() == context.number();
        if (fresh) {
          // Built whole as its first proxy moved in: only its members are still to be told.
          groups++;
          TypeUrls.PUSH_ORDER.forEach(t -> generated.merge(TypeUrls.shortName(t), 1, Integer::sum));
          cache.publish(previous.get());
          continue;
        }
        if (previous.isPresent()
            && (!scope.groups().test(key)
                || routes.isPresent() && !routes.get().reaches(next, key))) {
          continue;
        }
        Set<String> types;
        GroupSnapshot<GroupKey> snapshot;
        if (previous.isPresent() && endpointHosts.isPresent()) {
          if (endpointHosts.get().isEmpty()) {
            continue;
          }
          types = scope.types();
          snapshot = builder.buildEndpoints(next, key, previous.get(), endpointHosts.get());
        } else {
          types = previous.isPresent() ? scope.types() : PushScope.FULL.types();
          if (previous.isPresent()
              && scope.destinationsMayChange()
              && !types.contains(TypeUrls.CLUSTER)
              && !sameUnprovided(next, key, previous.get())) {
            types = union(types, TypeUrls.CLUSTER, TypeUrls.ENDPOINT);
          }
          if (key.secrets()
              && (types.contains(TypeUrls.LISTENER) || types.contains(TypeUrls.CLUSTER))) {
            // The secrets served are those the listeners and clusters name.
            types = union(types, TypeUrls.SECRET);
          }
          if (types.isEmpty()) {
            continue;
          }
          snapshot = builder.build(next, key, previous.orElse(null), types);
        }
        groups++;
        types.forEach(t -> generated.merge(TypeUrls.shortName(t), 1, Integer::sum));
        if (previous.isPresent() && snapshot == previous.get()) {
          failed++;
        }
        cache.publish(snapshot);
      }
      builder.retainGroups(cache.keys());
      if (log.isDebugEnabled()) {
        log.debug(
            "push {} took {} ms: snapshot and members {} ms, push context {} ms, regroup {} ms, {} groups {} ms",
            context.number(),
            (System.nanoTime() - startNanos) / 1_000_000,
            (buildStart - startNanos) / 1_000_000,
            contextNanos / 1_000_000,
            regroupNanos / 1_000_000,
            groups,
            (System.nanoTime() - groupsStart) / 1_000_000);
      }
      PushStatus before = status;
      PushStatus now =
          new PushStatus(
              context,
              verdict.analysis(),
              membership,
              verdict.refused(),
              ignored,
              start,
              Duration.ofNanos(System.nanoTime() - startNanos),
              groups,
              failed,
              Duration.ofNanos(Math.max(0, startNanos - triggeredAtNanos)),
              generated);
      status = now;
      for (Consumer<PushStatus> listener : afterPush) {
        try {
          listener.accept(now);
        } catch (RuntimeException e) {
          log.error("a listener of push {} failed", context.number(), e);
        }
      }
      synchronized (recent) {
        if (recent.size() == 60) {
          recent.removeFirst();
        }
        recent.addLast(
            new PushSummary(context.version(), now.at(), now.took(), now.waited(), now.groups()));
      }
      metrics.pushed(
          context.services().size(),
          context.destinationRules().duplicateSubsetHosts(),
          now.refused());
      metrics.analyzed(verdict.analysis());
      metrics.pushTriggered(triggers(trigger), failed);
      logChanges(change, now);
      report(before, now);
      closeLeavers(before, now);
      return now;
    }
  }

  /**
   * The proxies whose shape a push can have changed: all of them, but for a change to Endpoints and
   * EndpointSlices alone, which can change only the services a proxy of their own namespace serves;
   * and none for a change to VirtualServices and DestinationRules alone that leaves the label keys
   * of VirtualServices' {@code sourceLabels} as they were (nothing else of a proxy's shape comes
   * from them).
   */
  private static Predicate<Proxy> mayHaveMoved(
      Trigger trigger, PushContext before, PushContext now, Optional<Set<String>> endpointHosts) {
    ConfigChange change = trigger.change();
    if (!trigger.secrets().isEmpty() || before == null) {
      return p -> true;
    }
    if (PushScope.only(change, ROUTING_KINDS)
        && before.sourceLabelKeys().equals(now.sourceLabelKeys())) {
      return p -> false;
    }
    if (!PushScope.only(change, PushScope.ADDRESS_KINDS)) {
      return p -> true;
    }
    Set<String> namespaces = new HashSet<>();
    change.objects().forEach(r -> namespaces.add(r.namespace()));
    if (endpointHosts.isEmpty()) {
      return p -> namespaces.contains(p.namespace());
    }
    // A proxy serves a service by its selector (which endpoints do not change) or by being one of
    // its endpoints: only the pods and addresses that were or are endpoints of the services whose
    // endpoints changed can have moved.
    Set<String> pods = new HashSet<>();
    Set<String> ips = new HashSet<>();
    for (String host : endpointHosts.get()) {
      for (PushContext push : List.of(before, now)) {
        for (List<Endpoint> endpoints :
            push.service(host).map(s -> s.endpoints().values()).orElse(List.of())) {
          for (Endpoint e : endpoints) {
            pods.add(e.podName());
            ips.add(e.ip());
          }
        }
      }
    }
    return p ->
        namespaces.contains(p.namespace())
            && (pods.contains(p.podName()) || p.ips().stream().anyMatch(ips::contains));
  }

  /** Kinds that decide routes and traffic policy, and of a proxy's shape only source labels. */
  private static final Set<Kind<?>> ROUTING_KINDS =
      Set.of(Kind.VIRTUAL_SERVICE, Kind.DESTINATION_RULE);

  /** What triggered a push, as istiod labels it. */
  private static Set<String> triggers(Trigger trigger) {
    Set<String> reasons = new TreeSet<>();
    if (!trigger.secrets().isEmpty()) {
      reasons.add("secret");
    }
    for (var ref : trigger.change().objects()) {
      if (ref.kind() == Kind.SERVICE) {
        reasons.add("service");
      } else if (PushScope.ENDPOINT_KINDS.contains(ref.kind())) {
        reasons.add("endpoint");
      } else if (ref.kind() == Kind.SERVICE_MESH_MEMBER_ROLL || ref.kind() == Kind.NAMESPACE) {
        reasons.add("global");
      } else {
        reasons.add("config");
      }
    }
    if (reasons.isEmpty()) {
      reasons.add("global");
    }
    return reasons;
  }

  private static void logIgnored(ConfigSnapshot all, Membership membership) {
    for (Kind<?> kind : Kind.all()) {
      for (var c : all.list(kind)) {
        String ns = kind.namespaced() ? c.namespace() : c.name();
        if (!membership.isMember(ns)) {
          log.debug("ignored {}: namespace {} is not a member", c.ref(), ns);
        }
      }
    }
  }

  /**
   * Whether the routes of the group's proxies still name exactly the destinations without a service
   * that its clusters were generated for. Only for a push that changed no service, destination rule
   * or policy: the other clusters are then as they were.
   */
  private static boolean sameUnprovided(
      ConfigGenerator g, GroupKey key, GroupSnapshot<GroupKey> previous) {
    Optional<Set<String>> before = previous.unprovided();
    Optional<Set<String>> referenced = g.referencedDestinations(key);
    if (before.isEmpty() || referenced.isEmpty()) {
      return false;
    }
    Set<String> clusters = previous.type(TypeUrls.CLUSTER).resources().keySet();
    Set<String> now = new HashSet<>();
    for (String name : referenced.get()) {
      if (!clusters.contains(name) || before.get().contains(name)) {
        now.add(name);
      }
    }
    return now.equals(before.get());
  }

  private static Set<String> union(Set<String> types, String... more) {
    Set<String> all = new HashSet<>(types);
    all.addAll(List.of(more));
    return Set.copyOf(all);
  }

  /** One line per accepted or removed object of a member namespace. */
  private static void logChanges(ConfigChange change, PushStatus now) {
    for (var ref : new TreeSet<>(change.objects())) {
      String ns = ref.kind().namespaced() ? ref.namespace() : ref.name();
      if (!now.membership().isMember(ns)) {
        log.debug("ignored {}: namespace {} is not a member", ref, ns);
        continue;
      }
      var config = now.config().get(ref.kind(), ref.namespace(), ref.name());
      if (config.isPresent() && config.get().isStandIn()) {
        log.info("served fail closed in place of {} from {}", ref, config.get().origin());
      } else if (config.isPresent()) {
        log.info("accepted {} from {}", ref, config.get().origin());
      } else if (now.refused().stream().noneMatch(e -> e.object().equals(ref.toString()))) {
        log.info("removed {}", ref);
      }
    }
  }

  /** Logs what became refused, what is served with a warning, and what was fixed. */
  private static void report(PushStatus before, PushStatus now) {
    Set<String> oldErrors = before == null ? Set.of() : messages(before.refused());
    Set<String> oldWarnings = before == null ? Set.of() : messages(before.warnings());
    Set<String> newErrors = messages(now.refused());
    Set<String> newWarnings = messages(now.warnings());
    if (before != null) {
      for (String e : newErrors) {
        if (!oldErrors.contains(e)) {
          log.warn("refused: {}", e);
        }
      }
      for (String w : newWarnings) {
        if (!oldWarnings.contains(w)) {
          log.warn("served with a warning: {}", w);
        }
      }
      Set<String> oldFailClosed = messages(before.push().authz().errors());
      for (String e : messages(now.push().authz().errors())) {
        if (!oldFailClosed.contains(e)) {
          log.warn("served fail closed: {}", e);
        }
      }
      int fixed = 0;
      for (String e : oldErrors) {
        if (!newErrors.contains(e)) {
          fixed++;
        }
      }
      boolean changed = now.config().version() != before.config().version();
      (changed ? log.atInfo() : log.atDebug())
          .log(
              "push {}: {} objects, {} refused{}, {} proxy groups in {} ms",
              now.push().number(),
              now.config().size(),
              now.refused().size(),
              fixed > 0 ? " (" + fixed + " no longer)" : "",
              now.groups(),
              now.took().toMillis());
    }
  }

  private static Set<String> messages(List<ConfigError> errors) {
    Set<String> set = new HashSet<>();
    for (ConfigError e : errors) {
      set.add(e.message());
    }
    return set;
  }

  /** Ends the streams of proxies whose namespace left the mesh. */
  private void closeLeavers(PushStatus before, PushStatus now) {
    if (before == null || before.membership().namespaces().equals(now.membership().namespaces())) {
      return;
    }
    Membership m = now.membership();
    for (String ns : before.membership().namespaces()) {
      if (!m.isMember(ns)) {
        log.info("namespace {} left the mesh", ns);
      }
    }
    int closed =
        streams.closeWhere(
            p -> !m.isMember(p.namespace()),
            p ->
                Status.PERMISSION_DENIED.withDescription(
                    "namespace \""
                        + p.namespace()
                        + "\" left the mesh of control plane \""
                        + mesh.controlPlaneNamespace()
                        + "\"; its config was withdrawn"));
    if (closed > 0) {
      log.info("closed {} streams of proxies whose namespace left the mesh", closed);
    }
  }

  @Override
  public void close() {
    debouncer.close();
    streams.close();
  }
}
