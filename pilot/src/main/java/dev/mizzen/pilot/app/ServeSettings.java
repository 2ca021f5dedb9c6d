package dev.mizzen.pilot.app;

import dev.mizzen.ingest.kube.WatchScope;
import java.util.Objects;

/**
 * What {@code mizzen serve} was asked to run, the flags checked and read.
 *
 * @param options the control plane's sources, ports and mesh settings
 * @param watchScope how to read the cluster, or null to read {@code options.configDir()}
 * @param manageMembers whether to run the member controller too (in a cluster)
 * @param ior whether to mirror Gateways as Routes under the member controller's Lease
 * @param secure the secure xDS port, or null
 * @param webhook the admission webhooks (injection, validation), or null; with {@code
 *     manageMembers} their certificate's CA is kept in their configurations' caBundle
 * @param bindAddress where the ports listen, for the start-up report
 */
public record ServeSettings(
    ControlPlane.Options options,
    WatchScope watchScope,
    boolean manageMembers,
    boolean ior,
    ControlPlane.SecureXds secure,
    ControlPlane.Webhook webhook,
    String bindAddress) {

  public ServeSettings {
    Objects.requireNonNull(options);
    Objects.requireNonNull(bindAddress);
    if (watchScope == null && (manageMembers || ior)) {
      throw new IllegalArgumentException("the member controller and IOR run only in a cluster");
    }
    if (ior && !manageMembers) {
      throw new IllegalArgumentException("IOR runs under the member controller's Lease");
    }
  }

  /** Whether the config comes from a cluster rather than a directory. */
  public boolean kube() {
    return watchScope != null;
  }
}
