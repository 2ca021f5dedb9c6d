package dev.mizzen.pilot.xds;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import com.google.protobuf.Message;
import dev.mizzen.pilot.generate.GroupKey;
import dev.mizzen.pilot.generate.TypeUrls;
import dev.mizzen.pilot.proxy.Proxy;
import io.envoyproxy.controlplane.cache.ConfigWatcher;
import io.envoyproxy.controlplane.cache.DeltaResponse;
import io.envoyproxy.controlplane.cache.DeltaWatch;
import io.envoyproxy.controlplane.cache.DeltaXdsRequest;
import io.envoyproxy.controlplane.cache.Response;
import io.envoyproxy.controlplane.cache.Watch;
import io.envoyproxy.controlplane.cache.WatchCancelledException;
import io.envoyproxy.controlplane.cache.XdsRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.grpc.Status;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mizzen's answer to java-control-plane's {@code SimpleCache}: serves each stream from the
 * snapshot of its proxy's group and follows the xDS protocol as clients hold servers to it.
 *
 * <ul>
 *   <li>The node is taken from the stream's first request and kept for the stream.
 *   <li>One response per type is in flight per stream; the next goes out when the proxy has
 *       answered, so a slow proxy is sent the newest config, never a backlog.
 *   <li>A refused (NACKed) version is not sent again; the proxy keeps its last good config until
 *       the config changes.
 *   <li>Requested names that do not exist are answered as the protocol asks: an empty route
 *       configuration or load assignment of that name, so that nothing waits for them.
 *   <li>Types are answered in the order CDS, EDS, LDS, RDS when a push touches several.
 * </ul>
 *
 * <p>java-control-plane hands {@link #createWatch} no stream, so {@link StreamCallbacks} names the
 * stream in a thread-local right before, on the same thread, in the same request.
 */
public final class XdsCache implements ConfigWatcher {
  private static final Logger log = LoggerFactory.getLogger(XdsCache.class);
  private static final ThreadLocal<ProxyConnection> CURRENT = new ThreadLocal<>();

  private final ConcurrentMap<Long, ProxyConnection> connections = new ConcurrentHashMap<>();
  private final ConcurrentMap<GroupKey, Group> groups = new ConcurrentHashMap<>();
  /** Serialises joining, leaving and moving between groups, so no proxy is left in a stale one. */
  private final Object membership = new Object();
  private final Function<Proxy, GroupKey> keyOf;
  private final Function<GroupKey, GroupSnapshot> factory;
  /** Where the snapshots of groups seen for the first time are built. */
  private final java.util.concurrent.ExecutorService builders;
  private final Clock clock;
  private volatile XdsEvents events = XdsEvents.NONE;
  private final PushQueue queue;
  private static final long SOTW_IDS = 1L << 40;
  private final java.util.concurrent.atomic.AtomicLong nextSotwId = new java.util.concurrent.atomic.AtomicLong();

  /**
   * @param keyOf the shape of a proxy in the latest push
   * @param factory builds the snapshot of a group seen for the first time, from the latest push
   */
  public XdsCache(Function<Proxy, GroupKey> keyOf, Function<GroupKey, GroupSnapshot> factory, Clock clock) {
    this(keyOf, factory, clock, PushQueue.defaultConcurrency());
  }

  /**
   * @param pushConcurrency how many streams may be written to at once
   */
  public XdsCache(
      Function<Proxy, GroupKey> keyOf,
      Function<GroupKey, GroupSnapshot> factory,
      Clock clock,
      int pushConcurrency) {
    this.keyOf = keyOf;
    this.factory = factory;
    this.clock = clock;
    this.queue = new PushQueue(pushConcurrency, 1000, this::sendDue);
    this.builders =
        java.util.concurrent.Executors.newFixedThreadPool(
            Math.max(2, Runtime.getRuntime().availableProcessors()),
            new ThreadFactoryBuilder().setNameFormat("mizzen-group-build-%d").setDaemon(true).build());
  }

  /** Sends the stream what it is due, in the order CDS, EDS, LDS, RDS. */
  private void sendDue(ProxyConnection conn) {
    if (conn.group() == null || conn.group().snapshot == null) {
      return;
    }
    synchronized (conn) {
      for (String type : TypeUrls.PUSH_ORDER) {
        respond(conn, type);
        respondDelta(conn, type);
      }
    }
  }

  private void respondDelta(ProxyConnection conn, String type) {
    TypeState s = conn.state(type);
    if (s.deltaWatch == null) {
      return;
    }
    long start = System.nanoTime();
    try {
      int n = DeltaResponder.respond(s, conn.group().snapshot.type(type));
      if (n >= 0) {
        s.sentAt = clock.instant();
        s.sentCount++;
        events.sent(conn, type, n, 0, System.nanoTime() - start);
      }
    } catch (WatchCancelledException e) {
      log.debug("stream {} went away before its {} response", conn.streamId(), TypeUrls.shortName(type));
    }
  }

  /** Stops the push workers. */
  public void close() {
    queue.close();
    builders.shutdownNow();
  }

  public void setEvents(XdsEvents events) {
    this.events = events;
  }

  // ---- streams ----

  ProxyConnection open(long streamId, StreamHandle handle) {
    handle.streamId = streamId;
    ProxyConnection conn = new ProxyConnection(streamId, handle, clock.instant());
    connections.put(streamId, conn);
    return conn;
  }

  /**
   * A state-of-the-world stream. Its ids come from a range of their own, far above the ids
   * java-control-plane gives the incremental streams it handles.
   */
  ProxyConnection open(StreamHandle handle, SotwStream stream) {
    ProxyConnection conn = open(SOTW_IDS + nextSotwId.incrementAndGet(), handle);
    conn.sotw = stream;
    return conn;
  }

  Optional<ProxyConnection> connection(long streamId) {
    return Optional.ofNullable(connections.get(streamId));
  }

  /** Attaches the proxy read from the stream's first request and joins it to its group. */
  void bind(ProxyConnection conn, Proxy proxy) {
    GroupKey key = keyOf.apply(proxy);
    Group group;
    synchronized (membership) {
      group = groups.computeIfAbsent(key, Group::new);
      group.members.add(conn);
    }
    conn.bind(proxy, group);
    events.connected(conn);
    // Built outside the lock and off the request threads: proxies of other shapes never wait for
    // this one's first snapshot, and its own are answered as soon as it is there.
    group.ensureLater(factory, builders, () -> scheduleMembers(group));
  }

  /**
   * Moves every proxy whose shape changed with the latest push (its services, or the labels
   * policies select on) to the group of its new shape. Its next responses come from that group's
   * snapshot, sent in full, since versions of different groups say nothing about each other.
   */
  public void regroup() {
    synchronized (membership) {
      for (ProxyConnection conn : connections()) {
        Group old = conn.group();
        GroupKey key = keyOf.apply(conn.proxy());
        if (old == null || old.key.equals(key)) {
          continue;
        }
        leave(old, conn);
        Group group = groups.computeIfAbsent(key, Group::new);
        group.ensure(factory);
        conn.bind(conn.proxy(), group);
        group.members.add(conn);
        synchronized (conn) {
          for (String type : TypeUrls.PUSH_ORDER) {
            conn.state(type).sentVersion = null;
          }
        }
      }
    }
  }

  @com.google.errorprone.annotations.concurrent.GuardedBy("membership")
  private void leave(Group group, ProxyConnection conn) {
    group.members.remove(conn);
    if (group.members.isEmpty()) {
      // Keep no snapshot for a shape nobody has; a later proxy gets a fresh one.
      groups.remove(group.key, group);
    }
  }

  void close(long streamId) {
    ProxyConnection conn = connections.remove(streamId);
    if (conn == null) {
      return;
    }
    synchronized (membership) {
      Group group = conn.group();
      if (group != null) {
        leave(group, conn);
      }
    }
    synchronized (conn) {
      for (String type : TypeUrls.PUSH_ORDER) {
        TypeState s = conn.state(type);
        s.awaiting = false;
        if (s.deltaWatch != null) {
          s.deltaWatch.cancel();
          s.deltaWatch = null;
        }
      }
    }
    events.disconnected(conn);
  }

  static void setCurrent(ProxyConnection conn) {
    CURRENT.set(conn);
  }

  // ---- what the push pipeline and the debug endpoints use ----

  /** The shapes of the proxies connected now. */
  public Set<GroupKey> groupKeys() {
    return Set.copyOf(groups.keySet());
  }

  public Optional<GroupSnapshot> snapshot(GroupKey key) {
    Group g = groups.get(key);
    return g == null ? Optional.empty() : Optional.ofNullable(g.snapshot);
  }

  /** Streams whose proxy has identified itself. */
  public Collection<ProxyConnection> connections() {
    return connections.values().stream().filter(c -> c.proxy() != null).toList();
  }

  /** The stream of a proxy given by its node id or by "pod.namespace". */
  public Optional<ProxyConnection> find(String proxyId) {
    return connections().stream()
        .filter(c -> c.proxy().id().equals(proxyId) || c.proxy().shortId().equals(proxyId))
        .findFirst();
  }

  /** What the proxy of {@code conn} is being served of {@code typeUrl}, as it asked for it. */
  public List<Message> served(ProxyConnection conn, String typeUrl) {
    Group g = conn.group();
    if (g == null || g.snapshot == null) {
      return List.of();
    }
    synchronized (conn) {
      TypeState s = conn.state(typeUrl);
      return g.snapshot.select(typeUrl, s.wildcard, s.requestedNames);
    }
  }

  public Optional<String> servedVersion(ProxyConnection conn, String typeUrl) {
    Group g = conn.group();
    return g == null || g.snapshot == null ? Optional.empty() : Optional.of(g.snapshot.type(typeUrl).version());
  }

  /** Installs a group's new snapshot and answers its proxies' waiting requests. */
  public void publish(GroupSnapshot snapshot) {
    Group g = groups.get(snapshot.key());
    if (g == null) {
      return;
    }
    g.snapshot = snapshot;
    scheduleMembers(g);
  }

  /** Queues every stream of {@code g} to be sent what it is due. */
  private void scheduleMembers(Group g) {
    for (ProxyConnection conn : g.members) {
      queue.schedule(conn);
    }
  }

  /** Ends the streams of proxies {@code which} selects, each with the status {@code why} gives. */
  public int closeWhere(Predicate<Proxy> which, Function<Proxy, Status> why) {
    int closed = 0;
    for (ProxyConnection conn : connections()) {
      if (which.test(conn.proxy())) {
        conn.handle().close(why.apply(conn.proxy()));
        close(conn.streamId());
        closed++;
      }
    }
    return closed;
  }

  // ---- java-control-plane's side ----

  /**
   * A state-of-the-world request of a stream: records the proxy's answer to the last response
   * (stale nonces are ignored, as the protocol says), what it asks for now, and queues the stream.
   */
  void request(ProxyConnection conn, DiscoveryRequest request) {
    String type = request.getTypeUrl();
    synchronized (conn) {
      TypeState s = conn.state(type);
      String nonce = request.getResponseNonce();
      if (!nonce.isEmpty()) {
        if (!nonce.equals(s.sentNonce)) {
          return;
        }
        answered(conn, type, s, request.hasErrorDetail() ? request.getErrorDetail().getMessage() : null);
      }
      List<String> names = request.getResourceNamesList();
      s.wildcard = TypeUrls.wildcardByDefault(type) && (names.isEmpty() || names.contains("*"));
      GroupSnapshot snapshot = conn.group().snapshot;
      s.requestedNames = s.wildcard ? Set.of() : snapshot == null ? Set.copyOf(names) : snapshot.type(type).canonical(names);
      if (TypeUrls.ENDPOINT.equals(type)) {
        s.hasClusterChanged = conn.clustersSentSinceEndpoints;
      }
      s.awaiting = true;
    }
    queue.schedule(conn);
  }

  /** java-control-plane's state-of-the-world path is not used: {@link SotwStream} serves it. */
  @Override
  public Watch createWatch(
      boolean ads,
      XdsRequest request,
      Set<String> knownResourceNames,
      Consumer<Response> responseConsumer,
      boolean hasClusterChanged,
      boolean allowDefaultEmptyEdsUpdate) {
    log.error("a state-of-the-world request reached java-control-plane's path; it is not answered");
    return new Watch(ads, allowDefaultEmptyEdsUpdate, request, responseConsumer);
  }


  /**
   * The proxy answered the last response of a type: accepted it, or refused it with {@code error}
   * (which holds that version back until the config changes).
   */
  private void answered(ProxyConnection conn, String type, TypeState s, String error) {
    if (error != null) {
      s.nackedVersion = s.sentVersion;
      s.lastError = error;
      s.lastErrorAt = clock.instant();
      s.nackCount++;
      s.deltaSentVersions = Map.of();
      s.deltaSentRemoved = List.of();
      events.rejected(conn, type, s.sentVersion, error);
    } else {
      DeltaResponder.acknowledged(s);
      s.ackedVersion = s.sentVersion;
      s.ackedNonce = s.sentNonce;
      s.ackedAt = clock.instant();
      events.acknowledged(conn, type, s.ackedVersion, s.sentAt);
    }
  }

  /** Answers the stream's waiting request of {@code type} if it has something new to send. */
  private void respond(ProxyConnection conn, String type) {
    if (conn.sotw == null) {
      return;
    }
    TypeState s = conn.state(type);
    long start = System.nanoTime();
    SotwResponder.Sent sent = SotwResponder.respond(s, conn.group().snapshot, type);
    if (sent == null) {
      return;
    }
    if (TypeUrls.CLUSTER.equals(type)) {
      conn.clustersSentSinceEndpoints = true;
    } else if (TypeUrls.ENDPOINT.equals(type)) {
      conn.clustersSentSinceEndpoints = false;
      s.hasClusterChanged = false;
    }
    s.sentAt = clock.instant();
    s.sentNonce = conn.sotw.send(sent.body());
    events.sent(conn, type, sent.resources(), sent.body().size(), System.nanoTime() - start);
  }

  /** Records the nonce java-control-plane gave the response just sent. */
  void sent(ProxyConnection conn, String type, String nonce) {
    synchronized (conn) {
      conn.state(type).sentNonce = nonce;
    }
  }

  @Override
  public DeltaWatch createDeltaWatch(
      DeltaXdsRequest request,
      String requesterVersion,
      Map<String, String> resourceVersions,
      Set<String> pendingResources,
      boolean isWildcard,
      Consumer<DeltaResponse> responseConsumer,
      boolean hasClusterChanged) {
    DeltaWatch watch =
        new DeltaWatch(
            request,
            Map.copyOf(resourceVersions),
            Set.copyOf(pendingResources),
            requesterVersion,
            isWildcard,
            responseConsumer);
    ProxyConnection conn = CURRENT.get();
    CURRENT.remove();
    if (conn == null || conn.group() == null) {
      log.error("delta request of type {} arrived with no stream bound; it is not answered", request.getTypeUrl());
      return watch;
    }
    String type = request.getTypeUrl();
    synchronized (conn) {
      TypeState s = conn.state(type);
      if (!s.deltaStarted) {
        s.deltaStarted = true;
        s.deltaMustAnswer = true;
        s.deltaKnown.putAll(request.getInitialResourceVersionsMap());
      }
      request.getResourceNamesUnsubscribeList().forEach(s.deltaKnown::remove);
      request.getResourceNamesUnsubscribeList().forEach(s.deltaAbsent::remove);
      request.getResourceNamesSubscribeList().forEach(s.deltaAbsent::remove);
      String nonce = request.getResponseNonce();
      if (!nonce.isEmpty() && nonce.equals(s.sentNonce)) {
        answered(conn, type, s, request.hasErrorDetail() ? request.v3Request().getErrorDetail().getMessage() : null);
      }
      s.wildcard = isWildcard;
      s.requestedNames = Set.copyOf(pendingResources);
      if (s.deltaWatch != null && s.deltaWatch != watch) {
        s.deltaWatch.cancel();
      }
      s.deltaWatch = watch;
      watch.setStop(
          () -> {
            synchronized (conn) {
              if (s.deltaWatch == watch) {
                s.deltaWatch = null;
              }
            }
          });
    }
    queue.schedule(conn);
    return watch;
  }

  /** The time source the cache stamps events with. */
  public Instant now() {
    return clock.instant();
  }
}
