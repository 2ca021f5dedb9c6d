package dev.mizzen.bench;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * One ADS stream that behaves like Envoy: CDS, then EDS for the EDS clusters received, then LDS,
 * then RDS for the route names in the listeners; every response acknowledged. A slow reader takes
 * one response at a time and sits on it.
 */
final class EnvoyLikeStream implements ClientResponseObserver<DiscoveryRequest, Received> {
  static final String CDS = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
  static final String EDS = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";
  static final String LDS = "type.googleapis.com/envoy.config.listener.v3.Listener";
  static final String RDS = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";

  /**
   * ADS with responses read as {@link Received}: only what the stream uses is parsed; {@code full}
   * parses the whole message as well, for the checks against Envoy's rules and the library's copy.
   */
  private static MethodDescriptor<DiscoveryRequest, Received> ads(boolean full) {
    return AggregatedDiscoveryServiceGrpc.getStreamAggregatedResourcesMethod().toBuilder(
            AggregatedDiscoveryServiceGrpc.getStreamAggregatedResourcesMethod()
                .getRequestMarshaller(),
            new MethodDescriptor.Marshaller<Received>() {
              @Override
              public InputStream stream(Received value) {
                throw new UnsupportedOperationException("responses are only read");
              }

              @Override
              public Received parse(InputStream stream) {
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
                  return Received.parse(bytes, full);
                } catch (IOException e) {
                  throw Status.INTERNAL
                      .withDescription("unparseable response")
                      .withCause(e)
                      .asRuntimeException();
                }
              }
            })
        .build();
  }

  private static final MethodDescriptor<DiscoveryRequest, Received> ADS = ads(false);
  private static final MethodDescriptor<DiscoveryRequest, Received> ADS_FULL = ads(true);

  private final Node node;
  private final long slowReaderDelayMillis;
  private volatile long startNanos = System.nanoTime();
  private final CountDownLatch ready = new CountDownLatch(1);
  private final Set<String> ackedTypes = ConcurrentHashMap.newKeySet();
  private final Map<String, DiscoveryResponse> last = new ConcurrentHashMap<>();
  private final AtomicLong bytes = new AtomicLong();
  private final Map<String, AtomicLong> responsesByType = new ConcurrentHashMap<>();
  private final Map<String, String> versions = new ConcurrentHashMap<>();
  private volatile long readyNanos;
  private volatile Predicate<Received> awaited;
  private volatile long awaitedAtNanos;
  private volatile CountDownLatch awaitedLatch;
  private ClientCallStreamObserver<DiscoveryRequest> requests;
  private boolean sentEds;
  private boolean sentLds;
  private volatile Throwable error;

  private final boolean keepResponses;
  private final ServedRules rules;
  private final SharedNames shared;
  private final int namespaceIndex;

  /**
   * @param namespaceIndex which generated namespace the proxy runs in
   * @param keepResponses whether to keep the last response of each type (one stream does, for the
   *     baseline to serve the same resources)
   * @param rules where every response is checked against Envoy's rules, or null
   * @param shared where the lists of names asked for are kept once for all streams
   */
  EnvoyLikeStream(
      Node node,
      int namespaceIndex,
      long slowReaderDelayMillis,
      boolean keepResponses,
      ServedRules rules,
      SharedNames shared) {
    this.rules = rules;
    this.shared = shared;
    this.node = node;
    this.namespaceIndex = namespaceIndex;
    this.slowReaderDelayMillis = slowReaderDelayMillis;
    this.keepResponses = keepResponses;
  }

  void start(Channel channel) {
    startNanos = System.nanoTime();
    ClientCalls.asyncBidiStreamingCall(
        channel.newCall(rules != null || keepResponses ? ADS_FULL : ADS, CallOptions.DEFAULT),
        this);
    synchronized (this) {
      send(CDS, List.of(), "", "");
    }
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<DiscoveryRequest> stream) {
    this.requests = stream;
    if (slowReaderDelayMillis > 0) {
      stream.disableAutoRequestWithInitial(1);
    }
  }

  @Override
  public synchronized void onNext(Received r) {
    bytes.addAndGet(r.wireBytes());
    if (rules != null) {
      rules.check(r.full());
    }
    String type = r.typeUrl();
    responsesByType.computeIfAbsent(type, t -> new AtomicLong()).incrementAndGet();
    versions.put(type, r.version());
    if (keepResponses) {
      last.put(type, r.full());
    }
    send(type, names(type), r.version(), r.nonce());
    ackedTypes.add(type);
    try {
      if (CDS.equals(type) && !sentEds) {
        sentEds = true;
        send(EDS, shared.list(edsClusters(r.resources())), "", "");
      } else if (EDS.equals(type) && !sentLds) {
        sentLds = true;
        send(LDS, List.of(), "", "");
      } else if (LDS.equals(type)) {
        List<String> routes = shared.list(routeNames(r.resources()));
        if (!routes.equals(names(RDS))) {
          send(RDS, routes, "", "");
        }
      }
      Churn watching = churn;
      if (watching != null && EDS.equals(type)) {
        for (ByteString a : r.resources()) {
          watching.assignment(this, Received.value(a));
        }
        edsBytes.addAndGet(r.wireBytes());
        edsResources.addAndGet(r.resources().size());
      }
    } catch (IOException e) {
      error = e;
    }
    if (readyNanos == 0 && ackedTypes.containsAll(List.of(CDS, EDS, LDS, RDS))) {
      readyNanos = System.nanoTime();
      ready.countDown();
    }
    Predicate<Received> wanted = awaited;
    if (wanted != null && wanted.test(r)) {
      awaited = null;
      awaitedAtNanos = System.nanoTime();
      awaitedLatch.countDown();
    }
    if (slowReaderDelayMillis > 0) {
      try {
        Thread.sleep(slowReaderDelayMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      requests.request(1);
    }
  }

  private final Map<String, List<String>> requested = new ConcurrentHashMap<>();

  /** Told of every load assignment while endpoints churn; null otherwise. */
  private volatile Churn churn;

  private final AtomicLong edsBytes = new AtomicLong();
  private final AtomicLong edsResources = new AtomicLong();

  /** The load assignments received while watching churn. */
  long edsResources() {
    return edsResources.get();
  }

  void watch(Churn churn) {
    this.churn = churn;
  }

  /** The bytes of load assignment responses received while watching churn. */
  long edsBytes() {
    return edsBytes.get();
  }

  /** The assignments last asked for, as a set. */
  private volatile Set<String> edsNames = Set.of();

  /** Whether this stream asked for the cluster's assignment. */
  boolean asksFor(String cluster) {
    return edsNames.contains(cluster);
  }

  private List<String> names(String type) {
    return requested.getOrDefault(type, List.of());
  }

  private void send(String type, List<String> names, String version, String nonce) {
    if (EDS.equals(type) && names != requested.get(type)) {
      edsNames = shared.set(names);
    }
    requested.put(type, names);
    requests.onNext(
        DiscoveryRequest.newBuilder()
            .setNode(node)
            .setTypeUrl(type)
            .addAllResourceNames(names)
            .setVersionInfo(version)
            .setResponseNonce(nonce)
            .build());
  }

  /**
   * The EDS names of the EDS clusters. Envoy parses every cluster in full, on its own cores; this
   * generator shares the control plane's cores, so it reads only the three fields it needs
   * (thousands of clusters times thousands of streams would otherwise be most of its work).
   */
  static List<String> edsClusters(List<ByteString> clusters) throws IOException {
    Set<String> names = new TreeSet<>();
    for (ByteString a : clusters) {
      String eds = edsName(Received.value(a).newCodedInput());
      if (eds != null) {
        names.add(eds);
      }
    }
    return new ArrayList<>(names);
  }

  /** The cluster's EDS service name (or its name when that is empty), null when not of type EDS. */
  private static String edsName(CodedInputStream in) throws InvalidProtocolBufferException {
    try {
      String name = "";
      String serviceName = "";
      int type = Cluster.DiscoveryType.STATIC_VALUE;
      int tag;
      while ((tag = in.readTag()) != 0) {
        switch (WireFormat.getTagFieldNumber(tag)) {
          case Cluster.NAME_FIELD_NUMBER -> name = in.readStringRequireUtf8();
          case Cluster.TYPE_FIELD_NUMBER -> type = in.readEnum();
          case Cluster.EDS_CLUSTER_CONFIG_FIELD_NUMBER ->
              serviceName = serviceName(in.readBytes().newCodedInput());
          default -> in.skipField(tag);
        }
      }
      if (type != Cluster.DiscoveryType.EDS_VALUE) {
        return null;
      }
      return serviceName.isEmpty() ? name : serviceName;
    } catch (InvalidProtocolBufferException e) {
      throw e;
    } catch (IOException e) {
      throw new InvalidProtocolBufferException(e);
    }
  }

  private static String serviceName(CodedInputStream in) throws IOException {
    String serviceName = "";
    int tag;
    while ((tag = in.readTag()) != 0) {
      if (WireFormat.getTagFieldNumber(tag) == Cluster.EdsClusterConfig.SERVICE_NAME_FIELD_NUMBER) {
        serviceName = in.readStringRequireUtf8();
      } else {
        in.skipField(tag);
      }
    }
    return serviceName;
  }

  private static List<String> routeNames(List<ByteString> listeners) throws IOException {
    Set<String> names = new TreeSet<>();
    for (ByteString a : listeners) {
      Listener l = Listener.parseFrom(Received.value(a));
      for (FilterChain fc : l.getFilterChainsList()) {
        for (Filter f : fc.getFiltersList()) {
          if (f.getTypedConfig().is(HttpConnectionManager.class)) {
            HttpConnectionManager hcm = f.getTypedConfig().unpack(HttpConnectionManager.class);
            if (hcm.hasRds()) {
              names.add(hcm.getRds().getRouteConfigName());
            }
          }
        }
      }
    }
    return new ArrayList<>(names);
  }

  /** Starts waiting for a response that {@code wanted} accepts; returns the latch it opens. */
  CountDownLatch expect(Predicate<Received> wanted) {
    CountDownLatch latch = new CountDownLatch(1);
    awaitedLatch = latch;
    awaited = wanted;
    return latch;
  }

  String lastVersion(String type) {
    return versions.getOrDefault(type, "");
  }

  long awaitedAtNanos() {
    return awaitedAtNanos;
  }

  @Override
  public void onError(Throwable t) {
    error = t;
    ready.countDown();
  }

  @Override
  public void onCompleted() {}

  int namespaceIndex() {
    return namespaceIndex;
  }

  CountDownLatch ready() {
    return ready;
  }

  /** Nanoseconds from opening the stream to having acknowledged every type, 0 if not yet. */
  long readyAfterNanos() {
    return readyNanos == 0 ? 0 : readyNanos - startNanos;
  }

  long bytes() {
    return bytes.get();
  }

  Map<String, Long> responsesByType() {
    Map<String, Long> m = new TreeMap<>();
    responsesByType.forEach((k, v) -> m.put(k, v.get()));
    return m;
  }

  Map<String, DiscoveryResponse> lastResponses() {
    return last;
  }

  Throwable error() {
    return error;
  }

  void close() {
    try {
      requests.onCompleted();
    } catch (RuntimeException ignored) {
      // already closed
    }
  }
}
