package dev.mizzen.pilot.xds;

import dev.mizzen.pilot.proxy.InvalidProxyException;
import dev.mizzen.pilot.proxy.Proxy;
import dev.mizzen.pilot.proxy.ProxyParser;
import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.controlplane.server.exception.RequestException;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Status;
import io.grpc.StatusException;
import java.util.Optional;
import java.util.function.Function;

/**
 * Binds java-control-plane's incremental streams to Mizzen's connections: identifies the proxy on
 * its first request, refuses proxies the mesh does not admit, and records what was sent.
 */
final class StreamCallbacks implements DiscoveryServerCallbacks {
  private final XdsCache cache;
  private final Admission admission;

  StreamCallbacks(XdsCache cache, Admission admission) {
    this.cache = cache;
    this.admission = admission;
  }

  @Override
  public void onStreamOpen(long streamId, String typeUrl) {
    StreamHandle handle = StreamInterceptor.HANDLE.get();
    if (handle == null) {
      handle = new StreamHandle(null, null, null);
    }
    cache.open(streamId, handle);
  }

  @Override
  public void onV3StreamRequest(long streamId, DiscoveryRequest request) throws RequestException {
    bind(streamId, request.hasNode() ? request.getNode() : null);
  }

  /** Identifies the proxy on the stream's first request and names the stream for the cache. */
  private void bind(long streamId, Node node) throws RequestException {
    XdsCache.setCurrent(null);
    ProxyConnection conn =
        cache
            .connection(streamId)
            .orElseThrow(() -> new RequestException(Status.INTERNAL.withDescription("unknown stream")));
    if (conn.proxy() == null) {
      try {
        cache.bind(conn, admission.admit(conn.handle(), node));
      } catch (StatusException e) {
        throw new RequestException(e.getStatus());
      }
    }
    XdsCache.setCurrent(conn);
  }

  /**
   * On the secure port the certificate, not the node, says which namespace a proxy is in: a node
   * naming another namespace (in its metadata or its id) is someone else's config it asks for.
   */
  static Optional<String> identityMismatch(StreamHandle handle, Proxy proxy) {
    if (handle.identityError() != null) {
      return Optional.of(handle.identityError());
    }
    PeerIdentity identity = handle.identity();
    if (identity == null) {
      return Optional.empty();
    }
    String[] parts = proxy.id().split("~", -1);
    String domain = parts.length == 4 ? parts[3] : "";
    String idNamespace = domain.contains(".") ? domain.substring(0, domain.indexOf('.')) : domain;
    for (String claimed : new String[] {proxy.namespace(), idNamespace}) {
      if (!claimed.isEmpty() && !claimed.equals(identity.namespace())) {
        return Optional.of(
            "node \""
                + proxy.id()
                + "\" claims namespace \""
                + claimed
                + "\" but its certificate identifies "
                + identity.uri());
      }
    }
    return Optional.empty();
  }

  @Override
  public void onV3StreamResponse(long streamId, DiscoveryRequest request, DiscoveryResponse response) {
    cache.connection(streamId)
        .ifPresent(c -> cache.sent(c, response.getTypeUrl(), response.getNonce()));
  }

  @Override
  public void onV3StreamDeltaRequest(long streamId, DeltaDiscoveryRequest request) throws RequestException {
    bind(streamId, request.hasNode() ? request.getNode() : null);
  }

  @Override
  public void onV3StreamDeltaResponse(long streamId, DeltaDiscoveryRequest request, DeltaDiscoveryResponse response) {
    cache.connection(streamId).ifPresent(c -> cache.sent(c, response.getTypeUrl(), response.getNonce()));
  }

  @Override
  public void onStreamClose(long streamId, String typeUrl) {
    cache.close(streamId);
  }

  @Override
  public void onStreamCloseWithError(long streamId, String typeUrl, Throwable error) {
    cache.close(streamId);
  }

}
