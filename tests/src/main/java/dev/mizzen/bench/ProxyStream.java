package dev.mizzen.bench;

import com.google.protobuf.ByteString;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Channel;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One simulated proxy's ADS stream, whichever protocol it speaks: what the benchmark reads of it
 * (ready, bytes and responses received, the versions held, the load assignments it asks for and is
 * sent while endpoints churn) kept here once, so that the state-of-the-world stream ({@link
 * EnvoyLikeStream}) and the incremental one ({@link DeltaEnvoyLikeStream}) only speak their
 * protocol and report what they received through the methods below.
 */
abstract class ProxyStream {
  static final String CDS = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
  static final String EDS = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";
  static final String LDS = "type.googleapis.com/envoy.config.listener.v3.Listener";
  static final String RDS = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";

  private static final List<String> ALL_TYPES = List.of(CDS, EDS, LDS, RDS);

  /** How a stream reads a response's bytes. */
  interface Parser<T> {
    T parse(byte[] bytes) throws IOException;
  }

  /**
   * A marshaller that reads each response into one array and hands it to {@code parser}; requests
   * are written by the method's own marshaller.
   */
  static <T> MethodDescriptor.Marshaller<T> responses(Parser<T> parser) {
    return new MethodDescriptor.Marshaller<T>() {
      @Override
      public InputStream stream(T value) {
        throw new UnsupportedOperationException("responses are only read");
      }

      @Override
      public T parse(InputStream stream) {
        try {
          // gRPC's streams know their length: read once into an array of that size.
          // (readNBytes(int) would read 8 KiB chunks and copy them together: twice the
          // copying of every byte received, the generator's largest cost in a profile.)
          byte[] bytes;
          if (stream instanceof KnownLength) {
            bytes = new byte[stream.available()];
            if (stream.readNBytes(bytes, 0, bytes.length) != bytes.length) {
              throw new IOException("response shorter than its length");
            }
          } else {
            bytes = stream.readAllBytes();
          }
          return parser.parse(bytes);
        } catch (IOException e) {
          throw Status.INTERNAL
              .withDescription("unparseable response")
              .withCause(e)
              .asRuntimeException();
        }
      }
    };
  }

  protected final Node node;
  protected final long slowReaderDelayMillis;
  protected final boolean keepResponses;
  protected final ServedRules rules;
  protected final SharedNames shared;
  private final int namespaceIndex;

  private volatile long startNanos = System.nanoTime();
  private volatile long readyNanos;
  private final CountDownLatch ready = new CountDownLatch(1);
  private final Set<String> ackedTypes = ConcurrentHashMap.newKeySet();
  private final AtomicLong bytes = new AtomicLong();
  private final Map<String, AtomicLong> responsesByType = new ConcurrentHashMap<>();
  private final Map<String, String> versions = new ConcurrentHashMap<>();

  /** The type and the version not to take as the awaited response; null when none is awaited. */
  private volatile String awaitedType;

  private volatile String awaitedNotVersion;
  private volatile long awaitedAtNanos;
  private volatile CountDownLatch awaitedLatch;

  /** Told of every load assignment while endpoints churn; null otherwise. */
  private volatile Churn churn;

  private final AtomicLong edsBytes = new AtomicLong();
  private final AtomicLong edsResources = new AtomicLong();

  /** The assignments last asked for, as a set. */
  private volatile Set<String> edsNames = Set.of();

  private volatile Throwable error;

  /**
   * @param namespaceIndex which generated namespace the proxy runs in
   * @param slowReaderDelayMillis how long a slow reader sits on each response; 0 for a fast stream
   * @param keepResponses whether to keep what it was sent of each type (one stream does, for the
   *     baseline to serve the same resources)
   * @param rules where every response is checked against Envoy's rules, or null
   * @param shared where the lists of names asked for are kept once for all streams
   */
  ProxyStream(
      Node node,
      int namespaceIndex,
      long slowReaderDelayMillis,
      boolean keepResponses,
      ServedRules rules,
      SharedNames shared) {
    this.node = node;
    this.namespaceIndex = namespaceIndex;
    this.slowReaderDelayMillis = slowReaderDelayMillis;
    this.keepResponses = keepResponses;
    this.rules = rules;
    this.shared = shared;
  }

  /** Opens the stream on {@code channel} and sends its first request. */
  final void start(Channel channel) {
    startNanos = System.nanoTime();
    open(channel);
  }

  abstract void open(Channel channel);

  /** Ends the stream from this side. */
  abstract void close();

  /**
   * What the stream holds of each type, as one state-of-the-world response per type; only kept by a
   * stream made to keep them.
   */
  abstract Map<String, DiscoveryResponse> lastResponses();

  /** Whether the responses are to be parsed whole, for the checks or to be kept. */
  final boolean full() {
    return rules != null || keepResponses;
  }

  // ---- what the protocols report ----

  /** A response of {@code type} at {@code version} came, {@code wireBytes} long. */
  final void received(String type, String version, int wireBytes) {
    bytes.addAndGet(wireBytes);
    responsesByType.computeIfAbsent(type, t -> new AtomicLong()).incrementAndGet();
    versions.put(type, version);
  }

  /** A response of {@code type} was acknowledged; the stream is ready once each type was. */
  final void acknowledged(String type) {
    ackedTypes.add(type);
    if (readyNanos == 0 && ackedTypes.containsAll(ALL_TYPES)) {
      readyNanos = System.nanoTime();
      ready.countDown();
    }
  }

  /** How a stream opens one resource it received into the serialized message it holds. */
  interface Opener<T> {
    ByteString value(T resource) throws IOException;
  }

  /**
   * Load assignments were received: while endpoints churn, each is opened and told to the churn,
   * and they and their response's {@code wireBytes} are counted; otherwise none is opened.
   */
  final <T> void assignments(List<T> resources, Opener<T> opener, int wireBytes)
      throws IOException {
    Churn watching = churn;
    if (watching != null) {
      for (T resource : resources) {
        watching.assignment(this, opener.value(resource));
      }
      edsBytes.addAndGet(wireBytes);
      edsResources.addAndGet(resources.size());
    }
  }

  /** The stream now asks for the load assignments of these EDS names. */
  final void askingFor(Set<String> names) {
    edsNames = names;
  }

  /** Opens the awaited latch if a response of {@code type} at {@code version} is what it awaits. */
  final void checkAwaited(String type, String version) {
    String notVersion = awaitedNotVersion;
    if (type.equals(awaitedType) && notVersion != null && !version.equals(notVersion)) {
      awaitedType = null;
      awaitedNotVersion = null;
      awaitedAtNanos = System.nanoTime();
      awaitedLatch.countDown();
    }
  }

  /** A slow reader sits on the response it just handled, then asks for the next one. */
  final void readSlowly(ClientCallStreamObserver<?> requests) {
    if (slowReaderDelayMillis > 0) {
      try {
        Thread.sleep(slowReaderDelayMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      requests.request(1);
    }
  }

  /** A slow reader takes one response at a time; called before the stream starts. */
  final void limitReads(ClientCallStreamObserver<?> requests) {
    if (slowReaderDelayMillis > 0) {
      requests.disableAutoRequestWithInitial(1);
    }
  }

  final void failed(Throwable t) {
    error = t;
    ready.countDown();
  }

  // ---- what the benchmark reads ----

  /**
   * Starts waiting for a response of {@code type} whose version is not {@code oldVersion}; returns
   * the latch it opens.
   */
  final CountDownLatch expect(String type, String oldVersion) {
    CountDownLatch latch = new CountDownLatch(1);
    awaitedLatch = latch;
    awaitedNotVersion = oldVersion;
    awaitedType = type;
    return latch;
  }

  /** The version of the last response of {@code type}; "" before the first. */
  final String lastVersion(String type) {
    return versions.getOrDefault(type, "");
  }

  final long awaitedAtNanos() {
    return awaitedAtNanos;
  }

  final void watch(Churn churn) {
    this.churn = churn;
  }

  /** The load assignments received while watching churn. */
  final long edsResources() {
    return edsResources.get();
  }

  /** The bytes of load assignment responses received while watching churn. */
  final long edsBytes() {
    return edsBytes.get();
  }

  /** Whether this stream asked for the cluster's assignment. */
  final boolean asksFor(String cluster) {
    return edsNames.contains(cluster);
  }

  final int namespaceIndex() {
    return namespaceIndex;
  }

  final CountDownLatch ready() {
    return ready;
  }

  /** Nanoseconds from opening the stream to having acknowledged every type, 0 if not yet. */
  final long readyAfterNanos() {
    return readyNanos == 0 ? 0 : readyNanos - startNanos;
  }

  final long bytes() {
    return bytes.get();
  }

  final Map<String, Long> responsesByType() {
    Map<String, Long> m = new TreeMap<>();
    responsesByType.forEach((k, v) -> m.put(k, v.get()));
    return m;
  }

  final Throwable error() {
    return error;
  }

  final void error(Throwable t) {
    error = t;
  }
}
