package dev.mizzen.pilot.xds;

import io.envoyproxy.controlplane.cache.Watch;
import java.time.Instant;
import java.util.Set;

/**
 * One stream's protocol state for one resource type: what was asked, sent, acknowledged and
 * refused. Guarded by the owning {@link ProxyConnection}'s lock.
 */
final class TypeState {
  /** The request waiting for a response, or null when the last one was answered. */
  Watch watch;

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
