package dev.mizzen.authz;

/** Who enforces the generated filters; they differ in what they accept. */
public enum DataPlane {
  /** Envoy: every filter, repeated filter names allowed. */
  ENVOY,
  /**
   * Proxyless gRPC: unique filter names, only RBAC (an unknown filter is refused), no JWT
   * verification (gRPC's RBAC never matches JWT metadata, so JWT conditions fail closed).
   */
  GRPC
}
