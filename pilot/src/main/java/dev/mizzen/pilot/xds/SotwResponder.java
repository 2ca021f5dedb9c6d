package dev.mizzen.pilot.xds;

import com.google.protobuf.Message;
import dev.mizzen.pilot.generate.TypeUrls;
import io.envoyproxy.controlplane.cache.Response;
import io.envoyproxy.controlplane.cache.Watch;
import io.envoyproxy.controlplane.cache.WatchCancelledException;
import java.util.List;

/**
 * State-of-the-world xDS for one stream and type: answers the waiting request when the type's
 * version differs from what was last sent, when names were newly asked for, or when Envoy needs
 * endpoints to warm changed clusters; never with a version the proxy refused.
 */
final class SotwResponder {
  private SotwResponder() {}

  /** The resources sent, or null when nothing was due. */
  static List<Message> respond(TypeState s, GroupSnapshot snapshot, String type) throws WatchCancelledException {
    Watch watch = s.watch;
    if (watch == null || watch.isCancelled()) {
      return null;
    }
    TypeResources resources = snapshot.type(type);
    String version = resources.version();
    if (version.equals(s.nackedVersion)) {
      return null;
    }
    if (!s.wildcard && s.requestedNames.isEmpty() && !TypeUrls.wildcardByDefault(type)) {
      return null;
    }
    boolean changed = s.sentVersion == null || !version.equals(s.sentVersion);
    boolean newNames = !s.wildcard && !s.sentNames.containsAll(s.requestedNames);
    boolean warmClusters = TypeUrls.ENDPOINT.equals(type) && s.hasClusterChanged;
    if (!changed && !newNames && !warmClusters) {
      return null;
    }
    List<Message> selected = snapshot.select(type, s.wildcard, s.requestedNames);
    s.watch = null;
    s.nackedVersion = null;
    s.sentVersion = version;
    s.sentNames = s.requestedNames;
    s.sentCount++;
    watch.respond(Response.create(watch.request(), selected, version));
    return selected;
  }
}
