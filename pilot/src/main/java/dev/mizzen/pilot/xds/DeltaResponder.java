package dev.mizzen.pilot.xds;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import dev.mizzen.pilot.cache.TypeResources;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Incremental (delta) xDS for one stream and type: sends the resources whose version differs from
 * what the proxy holds, names in {@code removed_resources} what it holds (or asked for) that no
 * longer exists, and nothing when nothing differs. What the proxy holds starts from its {@code
 * initial_resource_versions}, so a proxy reconnecting after a restart is sent only what changed,
 * and told of what went away meanwhile.
 *
 * <p>A response depends only on what the proxy holds, what it asks for and the resources, and the
 * proxies of a group mostly hold and ask for the same: so a response is made once for each such
 * state and kept with the resources ({@link TypeResources#derived}), serialized without its nonce,
 * and every stream in that state is sent the same bytes, as state-of-the-world streams are.
 */
final class DeltaResponder {
  private DeltaResponder() {}

  /**
   * One response as it is sent to every stream in the same state, and what the proxy holds once it
   * accepts it.
   *
   * @param body the serialized response without nonce; null when nothing is due
   * @param before what the proxy holds when it is sent
   * @param absentBefore the names the proxy was told do not exist, when it is sent
   * @param changed the resources it carries, by name and version
   * @param removed the names it says no longer exist
   * @param after what the proxy holds once it accepts it
   * @param absentAfter the names told not to exist once it accepts it
   */
  record Prepared(
      ByteString body,
      Held before,
      Set<String> absentBefore,
      Map<String, String> changed,
      List<String> removed,
      Held after,
      Set<String> absentAfter) {

    /** The resources it carries and the names it removes. */
    int count() {
      return changed.size() + removed.size();
    }

    long bytes() {
      return body == null ? 0 : body.size();
    }
  }

  /** What a response is made from, besides the resources. */
  private record State(
      Held known, Set<String> absent, boolean wildcard, Set<String> requested, boolean first) {}

  /**
   * The response to the stream's waiting request of this type, or null when nothing is due. Called
   * with the connection locked; records what was sent.
   */
  static Prepared respond(TypeState s, TypeResources resources, String typeUrl) {
    TypeState.Delta d = s.delta;
    if (!s.awaiting || d == null) {
      return null;
    }
    if (resources.version().equals(s.nackedVersion)) {
      return null;
    }
    State state = new State(d.known, d.absent, s.wildcard, s.requestedNames, d.mustAnswer);
    Prepared p =
        resources.derived(state, () -> prepare(state, resources, typeUrl), Prepared::bytes);
    if (p.body() == null) {
      return null;
    }
    d.mustAnswer = false;
    d.sent = p;
    s.awaiting = false;
    s.nackedVersion = null;
    s.sentVersion = resources.version();
    return p;
  }

  private static Prepared prepare(State state, TypeResources resources, String typeUrl) {
    SortedMap<String, Message> all = resources.resources();
    SortedMap<String, String> changed = new TreeMap<>();
    List<String> removed = new ArrayList<>();
    for (String name : state.known().names()) {
      check(name, state, resources, changed, removed);
    }
    if (state.wildcard()) {
      for (String name : all.keySet()) {
        if (!state.known().contains(name)) {
          check(name, state, resources, changed, removed);
        }
      }
    }
    for (String name : state.requested()) {
      if (!state.known().contains(name) && !(state.wildcard() && resources.has(name))) {
        check(name, state, resources, changed, removed);
      }
    }
    Collections.sort(removed);
    if (changed.isEmpty() && removed.isEmpty() && !state.first()) {
      return new Prepared(
          null, state.known(), state.absent(), Map.of(), List.of(), state.known(), state.absent());
    }
    DeltaDiscoveryResponse.Builder response =
        DeltaDiscoveryResponse.newBuilder()
            .setTypeUrl(typeUrl)
            .setSystemVersionInfo(resources.version());
    changed.forEach(
        (name, version) ->
            response.addResources(
                Resource.newBuilder()
                    .setName(name)
                    .setVersion(version)
                    .setResource(Any.pack(all.get(name)))));
    response.addAllRemovedResources(removed);
    return new Prepared(
        response.build().toByteString(),
        state.known(),
        state.absent(),
        Map.copyOf(changed),
        List.copyOf(removed),
        state.known().with(changed, removed),
        absentAfter(state.absent(), changed.keySet(), removed));
  }

  /** Adds {@code name} to what is to be sent or removed, if it differs from what is held. */
  private static void check(
      String name,
      State state,
      TypeResources resources,
      Map<String, String> changed,
      List<String> removed) {
    if (!resources.has(name)) {
      if (!state.absent().contains(name)
          && (state.known().contains(name) || state.requested().contains(name))) {
        removed.add(name);
      }
      return;
    }
    String version = resources.versionOf(name);
    if (!version.equals(state.known().version(name))) {
      changed.put(name, version);
    }
  }

  /** The names told not to exist after a response that sent {@code sent} and removed others. */
  static Set<String> absentAfter(Set<String> absent, Set<String> sent, List<String> removed) {
    if (removed.isEmpty() && (absent.isEmpty() || sent.isEmpty())) {
      return absent;
    }
    Set<String> next = new HashSet<>(absent);
    next.removeAll(sent);
    next.addAll(removed);
    return Set.copyOf(next);
  }
}
