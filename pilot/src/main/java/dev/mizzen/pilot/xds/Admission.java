package dev.mizzen.pilot.xds;

import dev.mizzen.pilot.proxy.InvalidProxyException;
import dev.mizzen.pilot.proxy.Proxy;
import dev.mizzen.pilot.proxy.ProxyParser;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.grpc.Status;
import io.grpc.StatusException;
import java.util.Optional;
import java.util.function.BiPredicate;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Who may have a stream: the proxy named by the stream's first request must have an id istiod would
 * accept, an identity that matches its certificate on the secure port, and a namespace that is a
 * member of the mesh.
 */
final class Admission {
  private final Function<Proxy, Optional<String>> membership;
  private final Supplier<XdsEvents> events;
  private final int maxNodeBytes;
  private final BiPredicate<String, String> secretReaders;

  /**
   * @param membership why a proxy's namespace may not connect, or empty when it may
   * @param maxNodeBytes the largest node (id and metadata) a stream may present
   * @param secretReaders which proven identities (namespace, service account) may read the Secrets
   *     of their namespace
   */
  Admission(
      Function<Proxy, Optional<String>> membership,
      Supplier<XdsEvents> events,
      int maxNodeBytes,
      BiPredicate<String, String> secretReaders) {
    this.membership = membership;
    this.events = events;
    this.maxNodeBytes = maxNodeBytes;
    this.secretReaders = secretReaders;
  }

  /** The proxy the node names, or the status its stream is refused with. */
  Proxy admit(StreamHandle handle, Node node) throws StatusException {
    if (node == null || node.getId().isEmpty()) {
      String reason = "the first request of a stream must carry the node";
      events.get().refused("", XdsEvents.Status.INVALID_NODE, reason);
      throw Status.INVALID_ARGUMENT.withDescription(reason).asException();
    }
    int size = node.getSerializedSize();
    if (size > maxNodeBytes) {
      String reason =
          "the node is " + size + " bytes (id and metadata); at most " + maxNodeBytes + " are read";
      events.get().refused(node.getId(), XdsEvents.Status.INVALID_NODE, reason);
      throw Status.INVALID_ARGUMENT.withDescription(reason).asException();
    }
    Proxy proxy;
    try {
      proxy = ProxyParser.parse(node);
    } catch (InvalidProxyException e) {
      events.get().refused(node.getId(), XdsEvents.Status.INVALID_NODE, e.getMessage());
      throw Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asException();
    }
    Optional<String> stranger = identityMismatch(handle, proxy);
    if (stranger.isPresent()) {
      events.get().refused(proxy.id(), XdsEvents.Status.WRONG_IDENTITY, stranger.get());
      throw Status.PERMISSION_DENIED.withDescription(stranger.get()).asException();
    }
    Optional<String> refusal = membership.apply(proxy);
    if (refusal.isPresent()) {
      events.get().refused(proxy.id(), XdsEvents.Status.NOT_A_MEMBER, refusal.get());
      throw Status.PERMISSION_DENIED.withDescription(refusal.get()).asException();
    }
    // Only an identity the stream proved, never the node, may be served its namespace's Secrets.
    PeerIdentity identity = handle.identity();
    if (identity != null && secretReaders.test(identity.namespace(), identity.serviceAccount())) {
      return proxy.readingSecrets();
    }
    return proxy;
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
                + "\" but it authenticated as "
                + identity.uri());
      }
    }
    return Optional.empty();
  }
}
