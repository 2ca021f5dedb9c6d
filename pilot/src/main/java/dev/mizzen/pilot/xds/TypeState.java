package dev.mizzen.pilot.xds;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

/**
 * One stream's protocol state for one resource type: what was asked, sent, acknowledged and
 * refused. Every field is guarded by the lock of the {@link ProxyConnection} that owns it: it is
 * read and written only inside {@code synchronized (conn)}.
 */
final class TypeState {
  /** A request waits for its response (the last one was answered, or none was sent yet). */
  @GuardedBy("conn")
  boolean awaiting;

  /** Whether the proxy asked for every resource of the type rather than for names. */
  @GuardedBy("conn")
  boolean wildcard = true;

  /** The names asked for, when not a wildcard. */
  @GuardedBy("conn")
  Set<String> requestedNames = Set.of();

  /** State of the world: Envoy warms changed clusters with their endpoints. */
  @GuardedBy("conn")
  boolean hasClusterChanged;

  @GuardedBy("conn")
  String sentVersion;

  @GuardedBy("conn")
  String sentNonce = "";

  @GuardedBy("conn")
  Set<String> sentNames = Set.of();

  @GuardedBy("conn")
  Instant sentAt;

  @GuardedBy("conn")
  int sentCount;

  @GuardedBy("conn")
  String ackedVersion = "";

  @GuardedBy("conn")
  String ackedNonce = "";

  @GuardedBy("conn")
  Instant ackedAt;

  /** The version the proxy refused, held back until the config changes. */
  @GuardedBy("conn")
  String nackedVersion;

  @GuardedBy("conn")
  String lastError = "";

  @GuardedBy("conn")
  Instant lastErrorAt;

  @GuardedBy("conn")
  int nackCount;

  /** Incremental xDS only: what the proxy holds, null on state-of-the-world streams. */
  @GuardedBy("conn")
  Delta delta;

  /** What an incremental stream's proxy holds of one type, and what it was last sent. */
  static final class Delta {
    /** Resource versions the proxy holds, as far as it has acknowledged; shared, immutable. */
    Held known = Held.EMPTY;

    /** Names the proxy was told do not exist, not to be told again; immutable. */
    Set<String> absent = Set.of();

    /** The last response, until the proxy answers it; null when none is unanswered. */
    DeltaResponder.Prepared sent;

    /** The first request of a type is always answered, even with nothing. */
    boolean mustAnswer = true;

    /** The proxy accepted the last response: it now holds what it carried. */
    void acknowledged() {
      DeltaResponder.Prepared p = sent;
      sent = null;
      if (p == null) {
        return;
      }
      if (known == p.before() && absent.equals(p.absentBefore())) {
        // What every stream of the group in the same state now holds: the same instance.
        known = p.after();
        absent = p.absentAfter();
      } else {
        // Subscriptions changed while the response was on its way.
        known = known.with(p.changed(), p.removed());
        absent = DeltaResponder.absentAfter(absent, p.changed().keySet(), p.removed());
      }
    }

    /** The proxy refused the last response: it holds what it held before. */
    void refused() {
      sent = null;
    }

    /** The proxy no longer asks for {@code names}: it holds none of them, and forgets them. */
    void unsubscribed(Set<String> names) {
      known = known.without(names);
      forget(names);
    }

    /** Names the proxy asks for (again): to be told if they do not exist. */
    void forget(Set<String> names) {
      if (!absent.isEmpty()) {
        Set<String> next = new HashSet<>(absent);
        if (next.removeAll(names)) {
          absent = Set.copyOf(next);
        }
      }
    }
  }
}
