package dev.mizzen.pilot.xds;

import com.google.protobuf.Message;
import io.envoyproxy.controlplane.cache.DeltaResponse;
import io.envoyproxy.controlplane.cache.DeltaWatch;
import io.envoyproxy.controlplane.cache.VersionedResource;
import io.envoyproxy.controlplane.cache.WatchCancelledException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Incremental (delta) xDS for one stream and type: sends the resources whose version differs from
 * what the proxy holds, names in {@code removed_resources} what it holds (or asked for) that no
 * longer exists, and nothing when nothing differs. What the proxy holds starts from its {@code
 * initial_resource_versions}, so a proxy reconnecting after a restart is sent only what changed,
 * and told of what went away meanwhile.
 */
final class DeltaResponder {
  private DeltaResponder() {}

  /**
   * Answers the stream's waiting delta request of this type if anything differs.
   *
   * @return the number of resources sent and removed, or -1 when nothing was sent
   */
  static int respond(TypeState s, TypeResources resources) throws WatchCancelledException {
    DeltaWatch watch = s.deltaWatch;
    if (watch == null || watch.isCancelled()) {
      return -1;
    }
    if (resources.version().equals(s.nackedVersion)) {
      return -1;
    }
    Map<String, String> known = new HashMap<>(s.deltaKnown);
    Set<String> scope = new TreeSet<>(known.keySet());
    if (watch.isWildcard()) {
      scope.addAll(resources.resources().keySet());
    }
    scope.addAll(watch.pendingResources());
    scope.addAll(watch.trackedResources().keySet());
    Map<String, VersionedResource<?>> send = new LinkedHashMap<>();
    List<String> removed = new ArrayList<>();
    for (String name : scope) {
      Message m = resources.resources().get(name);
      if (m == null) {
        if (!s.deltaAbsent.contains(name)
            && (known.containsKey(name) || watch.pendingResources().contains(name))) {
          removed.add(name);
        }
        continue;
      }
      String version = resources.versionOf(name);
      if (!version.equals(known.get(name))) {
        send.put(name, VersionedResource.create(m, version));
      }
    }
    if (send.isEmpty() && removed.isEmpty() && !s.deltaMustAnswer) {
      return -1;
    }
    s.deltaMustAnswer = false;
    s.deltaWatch = null;
    s.nackedVersion = null;
    s.sentVersion = resources.version();
    Map<String, String> sentVersions = new HashMap<>();
    send.forEach((name, r) -> sentVersions.put(name, r.version()));
    s.deltaSentVersions = sentVersions;
    s.deltaSentRemoved = List.copyOf(removed);
    watch.respond(DeltaResponse.create(watch.request(), send, removed, resources.version()));
    return send.size() + removed.size();
  }

  /** The proxy accepted the last response: it now holds what it carried. */
  static void acknowledged(TypeState s) {
    s.deltaKnown.putAll(s.deltaSentVersions);
    s.deltaAbsent.removeAll(s.deltaSentVersions.keySet());
    s.deltaSentRemoved.forEach(s.deltaKnown::remove);
    s.deltaAbsent.addAll(s.deltaSentRemoved);
    s.deltaSentVersions = Map.of();
    s.deltaSentRemoved = List.of();
  }
}
