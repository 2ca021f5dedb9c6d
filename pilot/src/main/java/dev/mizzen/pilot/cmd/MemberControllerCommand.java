package dev.mizzen.pilot.cmd;

import dev.mizzen.pilot.app.Application;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mizzen member-controller}: Maistra's member controller on its own, so that the serving
 * control plane keeps namespaced rights and only this process holds the ClusterRole that writes to
 * member namespaces.
 */
@Command(
    name = "member-controller",
    mixinStandardHelpOptions = true,
    description =
        "Configure the namespaces of a ServiceMeshMemberRoll (labels, RoleBindings, NetworkPolicies)"
            + " and write the roll's status. Runs under a Lease: start several for availability.")
final class MemberControllerCommand implements Callable<Integer> {

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

  @Option(
      names = "--ior",
      description =
          "Also mirror the member namespaces' Gateways as OpenShift Routes (IOR), under the same Lease. Off,"
              + " with a log line, where Routes are not served.")
  boolean ior;

  @Option(
      names = "--webhook-cert",
      paramLabel = "PEM",
      description =
          "The admission webhooks' serving certificate chain (as `serve --webhook-cert` reads it): keep the"
              + " caBundle of this control plane's webhook configurations equal to its CA (ca.crt beside it,"
              + " else the chain's self-signed root), under the same Lease; configurations annotated for"
              + " OpenShift's service CA are left to it.")
  Path webhookCert;

  @Override
  public Integer call() throws Exception {
    return Application.runMemberController(controlPlaneNamespace, memberRollName, ior, webhookCert);
  }
}
