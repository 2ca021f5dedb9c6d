package dev.mizzen.ingest.model;

import java.util.List;
import java.util.Objects;

/**
 * A ServiceMeshPolicy (authentication.maistra.io): Maistra's control-plane-wide authentication
 * policy, in the schema of Istio's retired {@code authentication.v1alpha1.Policy}. Only the one
 * named {@code default} in the control plane's namespace is honoured.
 *
 * @param peerMode the mutual TLS mode its {@code peers[].mtls} asks for, UNSET without peers
 * @param origins how to validate end-user tokens ({@code origins[].jwt})
 * @param originIsOptional whether a request without a token passes
 */
public record MeshPolicySpec(MtlsMode peerMode, List<JwtRule> origins, boolean originIsOptional)
    implements Spec {

  public MeshPolicySpec {
    Objects.requireNonNull(peerMode, "peerMode");
    origins = List.copyOf(origins);
  }
}
