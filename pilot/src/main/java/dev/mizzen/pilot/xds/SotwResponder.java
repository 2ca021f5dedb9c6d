package dev.mizzen.pilot.xds;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import dev.mizzen.pilot.cache.GroupSnapshot;
import dev.mizzen.pilot.cache.TypeResources;
import dev.mizzen.pilot.cache.TypeUrls;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * State-of-the-world xDS for one stream and type: answers the waiting request when the type's
 * version differs from what was last sent, when names were newly asked for, or when Envoy needs
 * endpoints to warm changed clusters; never with a version the proxy refused. A stream that holds
 * the endpoints' previous version is sent only the assignments that changed.
 */
final class SotwResponder {
  private SotwResponder() {}

  /** What was sent, or null when nothing was due. */
  record Sent(ByteString body, int resources) {}

  static Sent respond(TypeState s, GroupSnapshot<?> snapshot, String type) {
    if (!s.awaiting) {
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
    boolean newNames =
        !s.wildcard
            && s.sentNames != s.requestedNames
            && !s.sentNames.containsAll(s.requestedNames);
    boolean warmClusters = TypeUrls.ENDPOINT.equals(type) && s.hasClusterChanged;
    if (!changed && !newNames && !warmClusters) {
      return null;
    }
    if (TypeUrls.ENDPOINT.equals(type)
        && changed
        && !newNames
        && !warmClusters
        && !s.wildcard
        && s.nackedVersion == null) {
      Optional<Set<String>> since = resources.changedSince(s.sentVersion);
      if (since.isPresent()) {
        return partial(s, snapshot, type, resources, since.get());
      }
    }
    boolean all = s.wildcard || resources.isAll(s.requestedNames);
    int[] count = new int[1];
    ByteString body =
        resources.body(
            type,
            all ? TypeResources.ALL : s.requestedNames,
            () -> {
              List<Message> selected = snapshot.select(type, all, s.requestedNames);
              count[0] = selected.size();
              return selected;
            });
    markSent(s, version);
    return new Sent(body, all ? resources.resources().size() : s.requestedNames.size());
  }

  /** Records that {@code version} answered the waiting request. */
  private static void markSent(TypeState s, String version) {
    s.awaiting = false;
    s.nackedVersion = null;
    s.sentVersion = version;
    s.sentNames = s.requestedNames;
    s.sentCount++;
  }

  /**
   * Only the requested assignments that changed since the version the stream holds, as istiod's
   * incremental EDS sends them: a proxy keeps the assignments a response leaves out.
   */
  private static Sent partial(
      TypeState s,
      GroupSnapshot<?> snapshot,
      String type,
      TypeResources resources,
      Set<String> changed) {
    Set<String> names;
    if (s.requestedNames.containsAll(changed)) {
      names = changed; // the same set for every stream of the group: one body for all of them
    } else {
      Set<String> asked = new HashSet<>(changed);
      asked.retainAll(s.requestedNames);
      names = Set.copyOf(asked);
    }
    ByteString body = resources.body(type, names, () -> snapshot.select(type, false, names));
    markSent(s, resources.version());
    return new Sent(body, names.size());
  }
}
