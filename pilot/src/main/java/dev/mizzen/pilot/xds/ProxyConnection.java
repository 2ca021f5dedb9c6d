package dev.mizzen.pilot.xds;

import dev.mizzen.pilot.cache.Group;
import dev.mizzen.pilot.cache.GroupSnapshot;
import dev.mizzen.pilot.proxy.Proxy;
import java.net.SocketAddress;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One ADS stream from one proxy. The node comes from the stream's first request and is kept for the
 * stream's life, since some clients never send it again.
 */
public final class ProxyConnection {
  private final long streamId;
  private final StreamHandle handle;
  private final Instant connectedAt;
  private final Map<String, TypeState> types = new LinkedHashMap<>();

  /**
   * How many times the stream was made due since the push queue last took it in hand: the queue
   * holds it while this is above zero; see {@link PushQueue}.
   */
  final AtomicInteger due = new AtomicInteger();

  /** The stream that sends: state of the world or incremental, set once when it opens. */
  private volatile SotwStream sotw;

  private volatile DeltaStream delta;

  /**
   * Envoy warms changed clusters with their endpoints: after CDS, EDS is answered even unchanged.
   */
  boolean clustersSentSinceEndpoints;

  private volatile Proxy proxy;
  private volatile Group<?, ProxyConnection> group;

  ProxyConnection(long streamId, StreamHandle handle, Instant connectedAt) {
    this.streamId = streamId;
    this.handle = Objects.requireNonNull(handle);
    this.connectedAt = connectedAt;
  }

  public long streamId() {
    return streamId;
  }

  /** The proxy, or null before its first request was read. */
  public Proxy proxy() {
    return proxy;
  }

  void bind(Proxy proxy, Group<?, ProxyConnection> group) {
    this.proxy = proxy;
    this.group = group;
  }

  Group<?, ProxyConnection> group() {
    return group;
  }

  /** The snapshot the proxy is served from, null until its group has one. */
  GroupSnapshot<?> snapshot() {
    Group<?, ProxyConnection> g = group;
    return g == null ? null : g.snapshot();
  }

  void sendsBy(SotwStream stream) {
    this.sotw = stream;
  }

  void sendsBy(DeltaStream stream) {
    this.delta = stream;
  }

  SotwStream sotw() {
    return sotw;
  }

  DeltaStream delta() {
    return delta;
  }

  public Instant connectedAt() {
    return connectedAt;
  }

  public SocketAddress remoteAddress() {
    return handle.remoteAddress();
  }

  StreamHandle handle() {
    return handle;
  }

  /** "pod.namespace-streamId", unique per stream, like istiod's connection ids. */
  public String connectionId() {
    Proxy p = proxy;
    return (p == null ? "unknown" : p.shortId()) + "-" + streamId;
  }

  synchronized TypeState state(String typeUrl) {
    return types.computeIfAbsent(typeUrl, t -> new TypeState());
  }

  /** A consistent copy of the per-type state, for debug output. */
  public synchronized Map<String, TypeStatus> status() {
    Map<String, TypeStatus> copy = new LinkedHashMap<>();
    types.forEach(
        (type, s) ->
            copy.put(
                type,
                new TypeStatus(
                    s.sentVersion == null ? "" : s.sentVersion,
                    s.sentNonce,
                    s.sentAt,
                    s.ackedVersion,
                    s.ackedNonce,
                    s.ackedAt,
                    s.nackedVersion == null ? "" : s.nackedVersion,
                    s.lastError,
                    s.lastErrorAt,
                    s.nackCount,
                    s.wildcard,
                    s.requestedNames)));
    return copy;
  }

  /**
   * One type's protocol state at a moment.
   *
   * @param sentVersion the version of the last response, empty when none was sent
   * @param sentNonce the nonce of the last response
   * @param ackedNonce the nonce the proxy last acknowledged
   * @param nackedVersion the version it refused and is not sent again, empty when none
   * @param lastError the proxy's reason for its last refusal
   */
  public record TypeStatus(
      String sentVersion,
      String sentNonce,
      Instant sentAt,
      String ackedVersion,
      String ackedNonce,
      Instant ackedAt,
      String nackedVersion,
      String lastError,
      Instant lastErrorAt,
      int nackCount,
      boolean wildcard,
      Set<String> requestedNames) {}
}
