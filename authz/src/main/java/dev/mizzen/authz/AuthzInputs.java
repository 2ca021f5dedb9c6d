package dev.mizzen.authz;

import dev.mizzen.ingest.model.AuthorizationPolicySpec;
import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.MeshPolicySpec;
import dev.mizzen.ingest.model.PeerAuthenticationSpec;
import dev.mizzen.ingest.model.RbacConfigSpec;
import dev.mizzen.ingest.model.RequestAuthenticationSpec;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Everything authorization and authentication are computed from, for one push.
 *
 * @param rootNamespace the namespace whose policies apply mesh-wide
 * @param controlPlaneNamespace where Maistra's ServiceMeshPolicy and ServiceMeshRbacConfig count
 * @param serviceHosts the host names of the mesh's services
 */
public record AuthzInputs(
    String rootNamespace,
    String controlPlaneNamespace,
    List<Config<AuthorizationPolicySpec>> authorizationPolicies,
    List<Config<PeerAuthenticationSpec>> peerAuthentications,
    List<Config<RequestAuthenticationSpec>> requestAuthentications,
    List<Config<MeshPolicySpec>> meshPolicies,
    List<Config<RbacConfigSpec>> rbacConfigs,
    Set<String> serviceHosts) {

  public AuthzInputs {
    Objects.requireNonNull(rootNamespace);
    Objects.requireNonNull(controlPlaneNamespace);
    authorizationPolicies = List.copyOf(authorizationPolicies);
    peerAuthentications = List.copyOf(peerAuthentications);
    requestAuthentications = List.copyOf(requestAuthentications);
    meshPolicies = List.copyOf(meshPolicies);
    rbacConfigs = List.copyOf(rbacConfigs);
    serviceHosts = Set.copyOf(serviceHosts);
  }

  /** Only authorization policies, for tests and tools. */
  public static AuthzInputs of(
      String rootNamespace, List<Config<AuthorizationPolicySpec>> policies) {
    return new AuthzInputs(
        rootNamespace,
        rootNamespace,
        policies,
        List.of(),
        List.of(),
        List.of(),
        List.of(),
        Set.of());
  }
}
