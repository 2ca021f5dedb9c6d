package dev.mizzen.pilot.xds;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import dev.mizzen.pilot.cache.TypeResources;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import java.util.ArrayList;
import java.util.HashMap;
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
   * The response to the stream's waiting request of this type, without its nonce, or null when
   * nothing is due. Called with the connection locked; records what was sent.
   */
  static DeltaDiscoveryResponse.Builder respond(
      TypeState s, TypeResources resources, String typeUrl) {
    TypeState.Delta d = s.delta;
    if (!s.awaiting || d == null) {
      return null;
    }
    if (resources.version().equals(s.nackedVersion)) {
      return null;
    }
    Set<String> scope = new TreeSet<>(d.known.keySet());
    if (s.wildcard) {
      scope.addAll(resources.resources().keySet());
    }
    scope.addAll(s.requestedNames);
    DeltaDiscoveryResponse.Builder response =
        DeltaDiscoveryResponse.newBuilder()
            .setTypeUrl(typeUrl)
            .setSystemVersionInfo(resources.version());
    Map<String, String> sentVersions = new HashMap<>();
    List<String> removed = new ArrayList<>();
    for (String name : scope) {
      Message m = resources.resources().get(name);
      if (m == null) {
        if (!d.absent.contains(name)
            && (d.known.containsKey(name) || s.requestedNames.contains(name))) {
          removed.add(name);
        }
        continue;
      }
      String version = resources.versionOf(name);
      if (!version.equals(d.known.get(name))) {
        response.addResources(
            Resource.newBuilder().setName(name).setVersion(version).setResource(Any.pack(m)));
        sentVersions.put(name, version);
      }
    }
    if (sentVersions.isEmpty() && removed.isEmpty() && !d.mustAnswer) {
      return null;
    }
    response.addAllRemovedResources(removed);
    d.mustAnswer = false;
    d.sentVersions = sentVersions;
    d.sentRemoved = List.copyOf(removed);
    s.awaiting = false;
    s.nackedVersion = null;
    s.sentVersion = resources.version();
    return response;
  }
}
