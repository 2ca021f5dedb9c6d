package dev.mizzen.pilot.xds;

import io.envoyproxy.controlplane.cache.DeltaWatch;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.time.Instant;
import java.util.Set;

/**
 * One stream's protocol state for one resource type: what was asked, sent, acknowledged and
 * refused. Guarded by the owning {@link ProxyConnection}'s lock.
 */
final class TypeState {
  /** State of the world: a request waits for its response (the last one was answered). */
  boolean awaiting;

  /** Incremental xDS: the request waiting for a response. */
  DeltaWatch deltaWatch;

  /** Incremental xDS: resource versions the proxy holds, as far as it has acknowledged. */
  Map<String, String> deltaKnown = new HashMap<>();

  /** Incremental xDS: what the last response would make the proxy hold once acknowledged. */
  Map<String, String> deltaSentVersions = Map.of();

  List<String> deltaSentRemoved = List.of();

  /** Incremental xDS: names the proxy was told do not exist, not to be told again. */
  java.util.Set<String> deltaAbsent = new java.util.HashSet<>();

  /** Incremental xDS: the first request of a type is always answered, even with nothing. */
  boolean deltaMustAnswer;

  boolean deltaStarted;

  boolean hasClusterChanged;
  boolean wildcard = true;
  Set<String> requestedNames = Set.of();

  String sentVersion;
  String sentNonce = "";
  Set<String> sentNames = Set.of();
  Instant sentAt;
  int sentCount;

  String ackedVersion = "";
  String ackedNonce = "";
  Instant ackedAt;

  /** The version the proxy refused, held back until the config changes. */
  String nackedVersion;

  String lastError = "";
  Instant lastErrorAt;
  int nackCount;
}
