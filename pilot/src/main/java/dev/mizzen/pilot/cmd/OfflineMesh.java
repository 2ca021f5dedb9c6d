package dev.mizzen.pilot.cmd;

import dev.mizzen.pilot.push.MeshSettings;
import picocli.CommandLine.Option;

/**
 * The options that say which mesh a command run on manifests judges them in, shared by {@code
 * validate} and {@code analyze}: the DNS suffix, the control plane's namespace and its member roll.
 */
final class OfflineMesh {
  @Option(
      names = "--domain",
      defaultValue = "cluster.local",
      description = "The cluster's DNS suffix.")
  String domain;

  @Option(
      names = "--control-plane-namespace",
      defaultValue = "istio-system",
      description =
          "The control plane's namespace, where its member roll lives. Default: ${DEFAULT-VALUE}.")
  String controlPlaneNamespace;

  @Option(
      names = "--member-roll-name",
      defaultValue = "default",
      description = "The ServiceMeshMemberRoll to follow. Default: ${DEFAULT-VALUE}.")
  String memberRollName;

  MeshSettings settings() {
    return MeshSettings.defaults(controlPlaneNamespace).withDomainSuffix(domain);
  }
}
