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
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One state-of-the-world ADS stream that behaves like Envoy: CDS, then EDS for the EDS clusters
 * received, then LDS, then RDS for the route names in the listeners; every response acknowledged. A
 * slow reader takes one response at a time and sits on it.
 */
final class EnvoyLikeStream extends ProxyStream
    implements ClientResponseObserver<DiscoveryRequest, Received> {
  /**
   * ADS with responses read as {@link Received}: only what the stream uses is parsed; {@code full}
   * parses the whole message as well, for the checks against Envoy's rules and the library's copy.
   */
  private static MethodDescriptor<DiscoveryRequest, Received> ads(boolean full) {
    return AggregatedDiscoveryServiceGrpc.getStreamAggregatedResourcesMethod().toBuilder(
            AggregatedDiscoveryServiceGrpc.getStreamAggregatedResourcesMethod()
                .getRequestMarshaller(),
            responses(bytes -> Received.parse(bytes, full)))
        .build();
  }

  private static final MethodDescriptor<DiscoveryRequest, Received> ADS = ads(false);
  private static final MethodDescriptor<DiscoveryRequest, Received> ADS_FULL = ads(true);

  private final Map<String, DiscoveryResponse> last = new ConcurrentHashMap<>();
  private final Map<String, List<String>> requested = new ConcurrentHashMap<>();
  private ClientCallStreamObserver<DiscoveryRequest> requests;
  private boolean sentEds;
  private boolean sentLds;

  /** See {@link ProxyStream#ProxyStream}. */
  EnvoyLikeStream(
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
      send(CDS, List.of(), "", "");
    }
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<DiscoveryRequest> stream) {
    this.requests = stream;
    limitReads(stream);
  }

  @Override
  public synchronized void onNext(Received r) {
    if (rules != null) {
      rules.check(r.full());
    }
    String type = r.typeUrl();
    received(type, r.version(), r.wireBytes());
    if (keepResponses) {
      last.put(type, r.full());
    }
    send(type, names(type), r.version(), r.nonce());
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
      if (EDS.equals(type)) {
        assignments(r.resources(), Received::value, r.wireBytes());
      }
    } catch (IOException e) {
      error(e);
    }
    acknowledged(type);
    checkAwaited(type, r.version());
    readSlowly(requests);
  }

  private List<String> names(String type) {
    return requested.getOrDefault(type, List.of());
  }

  private void send(String type, List<String> names, String version, String nonce) {
    if (EDS.equals(type) && names != requested.get(type)) {
      askingFor(shared.set(names));
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
      String eds = edsName(Received.value(a));
      if (eds != null) {
        names.add(eds);
      }
    }
    return new ArrayList<>(names);
  }

  /**
   * The EDS service name of a serialized cluster (or its name when that is empty), null when the
   * cluster is not of type EDS.
   */
  static String edsName(ByteString cluster) throws IOException {
    return edsName(cluster.newCodedInput());
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
      names.addAll(routeNames(Received.value(a)));
    }
    return new ArrayList<>(names);
  }

  /** The route configurations a serialized listener's HTTP connection managers ask RDS for. */
  static Set<String> routeNames(ByteString listener) throws IOException {
    Set<String> names = new TreeSet<>();
    Listener l = Listener.parseFrom(listener);
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
    return names;
  }

  @Override
  public void onError(Throwable t) {
    failed(t);
  }

  @Override
  public void onCompleted() {}

  @Override
  Map<String, DiscoveryResponse> lastResponses() {
    return last;
  }

  @Override
  void close() {
    try {
      requests.onCompleted();
    } catch (RuntimeException ignored) {
      // already closed
    }
  }
}
