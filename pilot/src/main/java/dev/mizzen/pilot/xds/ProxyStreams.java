package dev.mizzen.pilot.xds;

import com.google.common.collect.Interner;
import com.google.common.collect.Interners;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import dev.mizzen.ingest.model.Printable;
import dev.mizzen.pilot.cache.Group;
import dev.mizzen.pilot.cache.GroupSnapshot;
import dev.mizzen.pilot.cache.SnapshotCache;
import dev.mizzen.pilot.cache.TypeUrls;
import dev.mizzen.pilot.proxy.Proxy;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.grpc.Status;
import io.grpc.StatusException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiPredicate;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The server's side of the streams: each proxy's stream, which group of the {@link SnapshotCache}
 * it is served from, and the xDS protocol as clients hold servers to it.
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
 * <p>Every call names its stream: the stream classes hold their {@link ProxyConnection} and pass it
 * in.
 *
 * @param <K> the shape of a proxy, which decides its group
 */
public final class ProxyStreams<K> implements AutoCloseable {
  /**
   * The most resource names one request may carry. A sidecar of a mesh of ten thousand services
   * asks for fewer endpoints than this; a request for more is refused with RESOURCE_EXHAUSTED.
   */
  private volatile int maxResourceNames = XdsLimits.defaults().maxResourceNames();

  private final ConcurrentMap<Long, ProxyConnection> connections = new ConcurrentHashMap<>();
  private final AtomicLong nextStreamId = new AtomicLong();

  /** Serialises proxies joining, leaving and moving between groups with their connections. */
  private final Object membership = new Object();

  private final Function<Proxy, K> keyOf;
  private final SnapshotCache<K, ProxyConnection> cache;
  private final Clock clock;
  private final PushQueue queue;
  private volatile XdsEvents events = XdsEvents.NONE;
  private volatile BiPredicate<String, String> secretReaders = (namespace, account) -> false;

  /**
   * @param keyOf the shape of a proxy in the latest push
   * @param factory builds the snapshot of a group seen for the first time
   */
  public ProxyStreams(
      Function<Proxy, K> keyOf, Function<K, GroupSnapshot<K>> factory, Clock clock) {
    this(keyOf, factory, clock, PushQueue.defaultConcurrency());
  }

  /**
   * @param pushConcurrency how many streams may be written to at once
   */
  public ProxyStreams(
      Function<Proxy, K> keyOf,
      Function<K, GroupSnapshot<K>> factory,
      Clock clock,
      int pushConcurrency) {
    this.keyOf = keyOf;
    this.clock = clock;
    this.queue = new PushQueue(pushConcurrency, 1000, this::sendDue, () -> events);
    this.cache = new SnapshotCache<>(factory, queue::schedule);
  }

  /** The snapshots the streams are served from. */
  public SnapshotCache<K, ProxyConnection> cache() {
    return cache;
  }

  /** The most resource names one request may name. */
  void limitNames(int max) {
    this.maxResourceNames = max;
  }

  public void setEvents(XdsEvents events) {
    this.events = events;
  }

  /**
   * Which proven identities (namespace, service account) may read the Secrets of their namespace;
   * asked once per admitted stream. None may until this is set.
   */
  public void setSecretReaders(BiPredicate<String, String> which) {
    this.secretReaders = which;
  }

  boolean mayReadSecrets(String namespace, String serviceAccount) {
    return secretReaders.test(namespace, serviceAccount);
  }

  XdsEvents events() {
    return events;
  }

  /** Stops the push workers and the snapshot builders. */
  @Override
  public void close() {
    queue.close();
    cache.close();
  }

  // ---- streams opening and closing ----

  ProxyConnection open(StreamHandle handle) {
    ProxyConnection conn =
        new ProxyConnection(nextStreamId.incrementAndGet(), handle, clock.instant());
    connections.put(conn.streamId(), conn);
    return conn;
  }

  /** Attaches the proxy read from the stream's first request and joins it to its group. */
  void bind(ProxyConnection conn, Proxy proxy) {
    synchronized (membership) {
      conn.bind(proxy, cache.join(keyOf.apply(proxy), conn));
    }
    events.connected(conn);
  }

  /**
   * Moves every proxy whose shape changed with the latest push (its services, or the labels
   * policies select on) to the group of its new shape. Its next responses come from that group's
   * snapshot, sent in full, since versions of different groups say nothing about each other.
   */
  public void regroup() {
    regroup(p -> true);
  }

  /**
   * As {@link #regroup()}, looking only at the proxies {@code mayHaveMoved} names: those whose
   * shape the push can have changed.
   */
  public void regroup(Predicate<Proxy> mayHaveMoved) {
    List<ProxyConnection> moved = new ArrayList<>();
    synchronized (membership) {
      for (ProxyConnection conn : connections()) {
        if (!mayHaveMoved.test(conn.proxy())) {
          continue;
        }
        @SuppressWarnings("unchecked")
        Group<K, ProxyConnection> old = (Group<K, ProxyConnection>) conn.group();
        K key = keyOf.apply(conn.proxy());
        if (old == null || old.key().equals(key)) {
          continue;
        }
        conn.bind(conn.proxy(), cache.move(old, key, conn));
        moved.add(conn);
      }
    }
    // A connection's lock is never taken inside the membership lock: a stream closed while its
    // responses are written holds the first and then takes the second.
    for (ProxyConnection conn : moved) {
      synchronized (conn) {
        for (String type : TypeUrls.PUSH_ORDER) {
          conn.state(type).sentVersion = null;
        }
      }
    }
  }

  void close(ProxyConnection conn) {
    if (connections.remove(conn.streamId()) == null) {
      return;
    }
    synchronized (membership) {
      @SuppressWarnings("unchecked")
      Group<K, ProxyConnection> group = (Group<K, ProxyConnection>) conn.group();
      if (group != null) {
        cache.leave(group, conn);
      }
    }
    synchronized (conn) {
      for (String type : TypeUrls.PUSH_ORDER) {
        conn.state(type).awaiting = false;
      }
    }
    events.disconnected(conn);
  }

  /** Ends the streams of proxies {@code which} selects, each with the status {@code why} gives. */
  public int closeWhere(Predicate<Proxy> which, Function<Proxy, Status> why) {
    int closed = 0;
    for (ProxyConnection conn : connections()) {
      if (which.test(conn.proxy())) {
        conn.handle().close(why.apply(conn.proxy()));
        close(conn);
        closed++;
      }
    }
    return closed;
  }

  // ---- what the push pipeline and the debug endpoints read ----

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
    GroupSnapshot<?> snapshot = conn.snapshot();
    if (snapshot == null) {
      return List.of();
    }
    synchronized (conn) {
      TypeState s = conn.state(typeUrl);
      return snapshot.select(typeUrl, s.wildcard, s.requestedNames);
    }
  }

  public Optional<String> servedVersion(ProxyConnection conn, String typeUrl) {
    GroupSnapshot<?> snapshot = conn.snapshot();
    return snapshot == null ? Optional.empty() : Optional.of(snapshot.type(typeUrl).version());
  }

  /** The time source the streams stamp events with. */
  public Instant now() {
    return clock.instant();
  }

  // ---- requests ----

  /**
   * A state-of-the-world request: records the proxy's answer to the last response (stale nonces are
   * ignored, as the protocol says), what it asks for now, and queues the stream.
   */
  void request(ProxyConnection conn, DiscoveryRequest request) throws StatusException {
    request(conn, request, null);
  }

  /**
   * As {@link #request(ProxyConnection, DiscoveryRequest)}, with the names as they were serialized
   * in the request (see {@link SotwRequest}), or null.
   */
  void request(ProxyConnection conn, DiscoveryRequest request, ByteString serializedNames)
      throws StatusException {
    String type = request.getTypeUrl();
    if (!served(type)) {
      return;
    }
    checkNames(request.getResourceNamesCount());
    synchronized (conn) {
      TypeState s = conn.state(type);
      String nonce = request.getResponseNonce();
      if (!nonce.isEmpty()) {
        if (!nonce.equals(s.sentNonce)) {
          events.expiredNonce(conn, type);
          return;
        }
        answered(
            conn, type, s, request.hasErrorDetail() ? nackError(request.getErrorDetail()) : null);
      }
      List<String> names = request.getResourceNamesList();
      s.wildcard = TypeUrls.wildcardByDefault(type) && (names.isEmpty() || names.contains("*"));
      GroupSnapshot<?> snapshot = conn.snapshot();
      s.requestedNames =
          s.wildcard
              ? Set.of()
              : snapshot == null
                  ? Set.copyOf(names)
                  : snapshot.type(type).canonical(names, serializedNames);
      if (TypeUrls.ENDPOINT.equals(type)) {
        s.hasClusterChanged = conn.clustersSentSinceEndpoints;
      }
      s.awaiting = true;
    }
    queue.schedule(conn);
  }

  /**
   * An incremental request: the proxy's answer to the last response, subscriptions added and
   * removed, and, on the first request of a type, what it already holds.
   */
  void request(ProxyConnection conn, DeltaDiscoveryRequest request) throws StatusException {
    String type = request.getTypeUrl();
    if (!served(type)) {
      return;
    }
    checkNames(
        request.getResourceNamesSubscribeCount() + request.getInitialResourceVersionsCount());
    synchronized (conn) {
      TypeState s = conn.state(type);
      boolean first = s.delta == null;
      if (first) {
        s.delta = new TypeState.Delta();
        s.delta.known = Held.of(request.getInitialResourceVersionsMap());
        // Listeners and clusters are a wildcard unless the first request names resources.
        s.wildcard =
            TypeUrls.wildcardByDefault(type) && request.getResourceNamesSubscribeCount() == 0;
        s.requestedNames = Set.of();
      }
      String nonce = request.getResponseNonce();
      if (!nonce.isEmpty()) {
        if (!nonce.equals(s.sentNonce)) {
          events.expiredNonce(conn, type);
          return;
        }
        answered(
            conn, type, s, request.hasErrorDetail() ? nackError(request.getErrorDetail()) : null);
      }
      if (request.getResourceNamesUnsubscribeCount() > 0
          || request.getResourceNamesSubscribeCount() > 0) {
        Set<String> names = new HashSet<>(s.requestedNames);
        Set<String> unsubscribed = new HashSet<>(request.getResourceNamesUnsubscribeList());
        if (unsubscribed.remove("*")) {
          s.wildcard = false;
        }
        names.removeAll(unsubscribed);
        s.delta.unsubscribed(unsubscribed);
        Set<String> subscribed = new HashSet<>(request.getResourceNamesSubscribeList());
        if (subscribed.remove("*")) {
          s.wildcard = true;
        }
        names.addAll(subscribed);
        s.delta.forget(subscribed);
        // The proxies of a group ask for the same names: one set for all of them.
        s.requestedNames = REQUESTED.intern(Set.copyOf(names));
      }
      s.awaiting = true;
    }
    queue.schedule(conn);
  }

  /** The longest part of a proxy's refusal that is kept, shown and logged. */
  static final int MAX_ERROR_LENGTH = 4096;

  /** What a proxy says of the config it refused, bounded and safe to print. */
  private static String nackError(com.google.rpc.Status detail) {
    return Printable.of(detail.getMessage(), MAX_ERROR_LENGTH);
  }

  /**
   * Whether Mizzen serves the type. Requests for other types are not answered (as istiod answers
   * types it has no generator for) and keep no state, whatever a client sends.
   */
  private static boolean served(String typeUrl) {
    return TypeUrls.PUSH_ORDER.contains(typeUrl);
  }

  /** Refuses a request naming more resources than any proxy needs. */
  private void checkNames(int count) throws StatusException {
    int max = maxResourceNames;
    if (count > max) {
      throw Status.RESOURCE_EXHAUSTED
          .withDescription(
              "a request may name at most " + max + " resources; this one names " + count)
          .asException();
    }
  }

  /**
   * The proxy answered the last response of a type: accepted it, or refused it with {@code error}
   * (which holds that version back until the config changes).
   */
  @GuardedBy("conn")
  private void answered(ProxyConnection conn, String type, TypeState s, String error) {
    if (error != null) {
      s.nackedVersion = s.sentVersion;
      s.lastError = error;
      s.lastErrorAt = clock.instant();
      s.nackCount++;
      if (s.delta != null) {
        s.delta.refused();
      }
      events.rejected(conn, type, s.sentVersion, error);
    } else {
      if (s.delta != null) {
        s.delta.acknowledged();
      }
      s.ackedVersion = s.sentVersion;
      s.ackedNonce = s.sentNonce;
      s.ackedAt = clock.instant();
      events.acknowledged(conn, type, s.ackedVersion, s.sentAt);
    }
  }

  // ---- responses ----

  /** Sends the stream what it is due, in the order CDS, EDS, LDS, RDS. */
  private void sendDue(ProxyConnection conn) {
    GroupSnapshot<?> snapshot = conn.snapshot();
    if (snapshot == null) {
      return;
    }
    synchronized (conn) {
      for (String type : TypeUrls.PUSH_ORDER) {
        if (conn.sotw() != null) {
          respondSotw(conn, snapshot, type);
        } else if (conn.delta() != null) {
          respondDelta(conn, snapshot, type);
        }
      }
    }
  }

  @GuardedBy("conn")
  private void respondSotw(ProxyConnection conn, GroupSnapshot<?> snapshot, String type) {
    TypeState s = conn.state(type);
    long start = System.nanoTime();
    SotwResponder.Sent sent = SotwResponder.respond(s, snapshot, type);
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
    s.sentNonce = conn.sotw().send(sent.body());
    events.sent(conn, type, sent.resources(), sent.body().size(), System.nanoTime() - start);
  }

  @GuardedBy("conn")
  private void respondDelta(ProxyConnection conn, GroupSnapshot<?> snapshot, String type) {
    TypeState s = conn.state(type);
    long start = System.nanoTime();
    DeltaResponder.Prepared sent = DeltaResponder.respond(s, snapshot.type(type), type);
    if (sent == null) {
      return;
    }
    s.sentAt = clock.instant();
    s.sentCount++;
    s.sentNonce = conn.delta().send(sent.body());
    events.sent(conn, type, sent.count(), sent.bytes(), System.nanoTime() - start);
  }

  /** The names incremental streams ask for, one set for every stream asking for the same. */
  private static final Interner<Set<String>> REQUESTED = Interners.newWeakInterner();
}
