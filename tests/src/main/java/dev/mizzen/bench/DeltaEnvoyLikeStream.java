package dev.mizzen.bench;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One incremental (delta) ADS stream that behaves like Envoy, which speaks delta xDS to istiod by
 * default since Istio 1.22: CDS as a wildcard, then EDS subscribed to the EDS names of the EDS
 * clusters held, then LDS as a wildcard, then RDS subscribed to the route names of the listeners
 * held; each response acknowledged by its nonce alone, and what is asked for changed by subscribing
 * and unsubscribing the difference when the clusters or listeners held change. A slow reader takes
 * one response at a time and sits on it.
 */
final class DeltaEnvoyLikeStream extends ProxyStream
    implements ClientResponseObserver<DeltaDiscoveryRequest, DeltaReceived> {
  /**
   * Delta ADS with responses read as {@link DeltaReceived}; {@code full} parses the whole message
   * as well, for the checks against Envoy's rules and the library's copy.
   */
  private static MethodDescriptor<DeltaDiscoveryRequest, DeltaReceived> ads(boolean full) {
    return AggregatedDiscoveryServiceGrpc.getDeltaAggregatedResourcesMethod().toBuilder(
            AggregatedDiscoveryServiceGrpc.getDeltaAggregatedResourcesMethod()
                .getRequestMarshaller(),
            responses(bytes -> DeltaReceived.parse(bytes, full)))
        .build();
  }

  private static final MethodDescriptor<DeltaDiscoveryRequest, DeltaReceived> ADS = ads(false);
  private static final MethodDescriptor<DeltaDiscoveryRequest, DeltaReceived> ADS_FULL = ads(true);

  private ClientCallStreamObserver<DeltaDiscoveryRequest> requests;
  private boolean nodeSent;

  /** The clusters held, each with its EDS name ("" when not of type EDS); shared. */
  private Map<String, String> clusters = Map.of();

  /** The listeners held, each with the route names it asks RDS for; shared. */
  private Map<String, List<String>> listeners = Map.of();

  /** The EDS names subscribed to; null until EDS was first asked for. */
  private List<String> edsSubscribed;

  private List<String> rdsSubscribed = List.of();
  private boolean sentLds;

  /** Only when keeping responses: every resource held, by type and name. */
  private final Map<String, Map<String, Any>> held = new ConcurrentHashMap<>();

  /** See {@link ProxyStream#ProxyStream}. */
  DeltaEnvoyLikeStream(
      Node node,
      int namespaceIndex,
      long slowReaderDelayMillis,
      boolean keepResponses,
      ServedRules rules,
      SharedNames shared) {
    super(node, namespaceIndex, slowReaderDelayMillis, keepResponses, rules, shared);
  }

  @Override
  void open(Channel channel) {
    ClientCalls.asyncBidiStreamingCall(
        channel.newCall(full() ? ADS_FULL : ADS, CallOptions.DEFAULT), this);
    synchronized (this) {
      // A wildcard: the first request of the type names nothing.
      subscribe(CDS, List.of(), List.of());
    }
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<DeltaDiscoveryRequest> stream) {
    this.requests = stream;
    limitReads(stream);
  }

  @Override
  public synchronized void onNext(DeltaReceived r) {
    if (rules != null) {
      rules.check(r.full());
    }
    String type = r.typeUrl();
    received(type, r.version(), r.wireBytes());
    if (keepResponses) {
      keep(r.full());
    }
    // The ACK carries the nonce alone; changes of what is asked for go in requests of their own.
    send(DeltaDiscoveryRequest.newBuilder().setTypeUrl(type).setResponseNonce(r.nonce()));
    try {
      switch (type) {
        case CDS -> clustersChanged(r);
        case EDS -> {
          if (!sentLds) {
            sentLds = true;
            subscribe(LDS, List.of(), List.of());
          }
          assignments(r.resources(), DeltaReceived.Named::value, r.wireBytes());
        }
        case LDS -> listenersChanged(r);
        default -> {}
      }
    } catch (IOException e) {
      error(e);
    }
    acknowledged(type);
    checkAwaited(type, r.version());
    readSlowly(requests);
  }

  /** Applies a CDS response; subscribes EDS to the EDS names held, or to what changed of them. */
  private void clustersChanged(DeltaReceived r) throws IOException {
    Map<String, String> received = new HashMap<>();
    for (DeltaReceived.Named c : r.resources()) {
      String eds = EnvoyLikeStream.edsName(c.value());
      received.put(c.name(), eds == null ? "" : eds);
    }
    clusters = shared.map(DeltaSubscriptions.apply(clusters, received, r.removed()));
    List<String> wanted = shared.list(DeltaSubscriptions.names(clusters.values()));
    askingFor(shared.set(wanted));
    if (edsSubscribed == null) {
      subscribe(EDS, wanted, List.of());
    } else {
      DeltaSubscriptions.Change c = DeltaSubscriptions.change(edsSubscribed, wanted);
      if (!c.isEmpty()) {
        subscribe(EDS, c.subscribe(), c.unsubscribe());
      }
    }
    edsSubscribed = wanted;
  }

  /** Applies an LDS response; subscribes RDS to what changed of the route names held. */
  private void listenersChanged(DeltaReceived r) throws IOException {
    Map<String, List<String>> received = new HashMap<>();
    for (DeltaReceived.Named l : r.resources()) {
      received.put(l.name(), shared.list(List.copyOf(EnvoyLikeStream.routeNames(l.value()))));
    }
    listeners = shared.map(DeltaSubscriptions.apply(listeners, received, r.removed()));
    List<String> wanted = shared.list(DeltaSubscriptions.union(listeners.values()));
    DeltaSubscriptions.Change c = DeltaSubscriptions.change(rdsSubscribed, wanted);
    if (!c.isEmpty()) {
      subscribe(RDS, c.subscribe(), c.unsubscribe());
    }
    rdsSubscribed = wanted;
  }

  private void subscribe(String type, List<String> subscribe, List<String> unsubscribe) {
    send(
        DeltaDiscoveryRequest.newBuilder()
            .setTypeUrl(type)
            .addAllResourceNamesSubscribe(subscribe)
            .addAllResourceNamesUnsubscribe(unsubscribe));
  }

  /** Sends a request, with the node on the stream's first as Envoy does. */
  private void send(DeltaDiscoveryRequest.Builder request) {
    if (!nodeSent) {
      nodeSent = true;
      request.setNode(node);
    }
    requests.onNext(request.build());
  }

  /** Keeps every resource held, for {@link #lastResponses}. */
  private void keep(DeltaDiscoveryResponse r) {
    Map<String, Any> of = held.computeIfAbsent(r.getTypeUrl(), t -> new ConcurrentHashMap<>());
    for (Resource resource : r.getResourcesList()) {
      of.put(resource.getName(), resource.getResource());
    }
    r.getRemovedResourcesList().forEach(of::remove);
  }

  /**
   * What the stream holds of each type, each as one state-of-the-world response at the type's last
   * version: what the library serves is the same as with state-of-the-world streams.
   */
  @Override
  Map<String, DiscoveryResponse> lastResponses() {
    Map<String, DiscoveryResponse> last = new TreeMap<>();
    held.forEach(
        (type, resources) ->
            last.put(
                type,
                DiscoveryResponse.newBuilder()
                    .setTypeUrl(type)
                    .setVersionInfo(lastVersion(type))
                    .addAllResources(new TreeMap<>(resources).values())
                    .build()));
    return last;
  }

  @Override
  public void onError(Throwable t) {
    failed(t);
  }

  @Override
  public void onCompleted() {}

  @Override
  void close() {
    try {
      requests.onCompleted();
    } catch (RuntimeException ignored) {
      // already closed
    }
  }
}
