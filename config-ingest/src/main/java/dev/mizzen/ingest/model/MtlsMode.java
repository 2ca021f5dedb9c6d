package dev.mizzen.ingest.model;

/** How a workload accepts connections from its peers (Istio's PeerAuthentication modes). */
public enum MtlsMode {
  /** Not set here: inherit from the next level up (port, workload, namespace, mesh). */
  UNSET,
  /** Plain text only. */
  DISABLE,
  /** Mutual TLS and plain text, told apart by the TLS handshake. */
  PERMISSIVE,
  /** Mutual TLS only. */
  STRICT
}
