package dev.mizzen.pilot.cmd;

import dev.mizzen.pilot.control.Identity;

import dev.mizzen.openshift.ior.IorController;
import dev.mizzen.tenancy.controller.MemberController;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
  private static final Logger log = LoggerFactory.getLogger("dev.mizzen");

  @Option(
      names = "--control-plane-namespace",
      defaultValue = "istio-system",
      description = "The control plane's namespace, where its member roll lives. Default: ${DEFAULT-VALUE}.")
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

  @Override
  public Integer call() throws Exception {
    KubernetesClient client = new KubernetesClientBuilder().build();
    MemberController.Settings settings = MemberController.Settings.defaults(controlPlaneNamespace, memberRollName, Identity.get());
    MemberController controller = new MemberController(client, settings);
    IorController routes = ior ? new IorController(client, settings) : null;
    if (routes != null) {
      controller.add(routes);
    }
    controller.start();
    log.info(
        "member controller of {} (ServiceMeshMemberRoll {}/{}) started against {}; waiting for its Lease",
        controlPlaneNamespace,
        controlPlaneNamespace,
        memberRollName,
        client.getMasterUrl());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  controller.close();
                  if (routes != null) {
                    routes.close();
                  }
                  client.close();
                  stopped.countDown();
                },
                "mizzen-shutdown"));
    stopped.await();
    return 0;
  }
}
