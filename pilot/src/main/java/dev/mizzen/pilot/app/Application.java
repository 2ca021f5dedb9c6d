package dev.mizzen.pilot.app;

import dev.mizzen.ingest.kube.KubeSource;
import dev.mizzen.openshift.inject.CaBundleWriter;
import dev.mizzen.openshift.ior.IorController;
import dev.mizzen.tenancy.controller.MemberController;
import dev.mizzen.tenancy.controller.WriterLease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code mizzen serve} as a process: decides what starts and in which order, and stops it all in
 * the reverse order on shutdown. The Kubernetes client first, the writers that run under the member
 * controller's Lease (the member controller, IOR, the webhooks' caBundle, the status of analysed
 * objects) next, then the control plane; on the way down the control plane stops serving before the
 * writers stop and the client closes. Without the member controller, the status of analysed objects
 * is written under a Lease of the serving replicas' own ({@value #STATUS_LEASE}).
 */
public final class Application {
  private static final Logger log = LoggerFactory.getLogger("dev.mizzen");

  /** The serving replicas' Lease for writing status, when no member controller runs beside them. */
  public static final String STATUS_LEASE = "mizzen-status-writer";

  /** How long the first read of the cluster (and of each new member) may take. */
  private static final Duration SYNC_TIMEOUT = Duration.ofSeconds(30);

  private Application() {}

  /**
   * Runs until the process is asked to stop.
   *
   * @param version Mizzen's version, for the start-up report
   * @return the exit code: 0 after a shutdown, 1 when it could not start
   */
  public static int run(ServeSettings settings, String version) throws InterruptedException {
    return run(settings, version, false);
  }

  /**
   * As {@link #run(ServeSettings, String)}; with {@code stopWhenReady}, stops again as soon as it
   * is ready (a training run for a class-data-sharing archive).
   */
  public static int run(ServeSettings settings, String version, boolean stopWhenReady)
      throws InterruptedException {
    KubernetesClient client = settings.kube() ? kubeClient() : null;
    // Closed last first.
    List<AutoCloseable> started = new ArrayList<>();
    if (client != null) {
      started.add(client);
    }
    ControlPlane cp;
    String namespace = settings.options().mesh().controlPlaneNamespace();
    AnalysisStatus status =
        client == null ? null : new AnalysisStatus(client, namespace, Clock.systemUTC());
    try {
      if (settings.manageMembers()) {
        startWriters(
            client,
            namespace,
            settings.options().memberRollName(),
            settings.ior(),
            settings.webhook() == null ? null : settings.webhook().certChain(),
            status,
            started);
      }
      cp =
          ControlPlane.start(
              settings.options(),
              client == null
                  ? null
                  : new ControlPlane.Kube(client, settings.watchScope(), SYNC_TIMEOUT),
              settings.secure(),
              settings.webhook());
      started.add(cp);
      if (status != null) {
        if (!settings.manageMembers()) {
          // No member controller here: the serving replicas take turns on a Lease of their own.
          WriterLease lease = new WriterLease(client, namespace, STATUS_LEASE, Identity.get());
          lease.add(status);
          started.add(status);
          started.add(lease);
          lease.start();
        }
        status.follow(cp.kubeSource()::servedVersion, cp.pipeline().status());
        cp.pipeline().afterPush(status::analysed);
      }
    } catch (IOException e) {
      System.err.println(
          "mizzen: "
              + e.getMessage()
              + (client == null ? "" : " (API server " + client.getMasterUrl() + ")"));
      stop(started);
      return 1;
    }
    log.info("{}", StartupReport.render(cp, version, settings.bindAddress()));
    if (stopWhenReady) {
      stop(started);
      return 0;
    }
    awaitShutdown(started);
    return 0;
  }

  /**
   * The one client of the process, configured as fabric8 finds it (in-cluster or kubeconfig); it
   * reads objects as the API server sent them (see {@link KubeSource#serialization()}).
   */
  private static KubernetesClient kubeClient() {
    return new KubernetesClientBuilder()
        .withKubernetesSerialization(KubeSource.serialization())
        .build();
  }

  /**
   * {@code mizzen member-controller}: the member controller alone (and IOR, and the webhooks'
   * caBundle writer, when asked), for a deployment that runs it apart from the serving replicas.
   * Runs until the process is asked to stop.
   *
   * @param webhookCert the webhooks' serving certificate chain, whose CA the caBundle writer keeps
   *     in the control plane's webhook configurations; null for no writer
   */
  public static int runMemberController(
      String controlPlaneNamespace, String rollName, boolean ior, Path webhookCert)
      throws InterruptedException {
    KubernetesClient client = kubeClient();
    List<AutoCloseable> started = new ArrayList<>(List.of(client));
    startWriters(client, controlPlaneNamespace, rollName, ior, webhookCert, null, started);
    log.info(
        "member controller of {} (ServiceMeshMemberRoll {}/{}) started against {}; waiting for its Lease",
        controlPlaneNamespace,
        controlPlaneNamespace,
        rollName,
        client.getMasterUrl());
    awaitShutdown(started);
    return 0;
  }

  /**
   * Starts the member controller, and under its Lease IOR and the caBundle writer when asked and
   * the writer of analysed objects' status when given; adds them to {@code started}.
   */
  private static void startWriters(
      KubernetesClient client,
      String controlPlaneNamespace,
      String rollName,
      boolean ior,
      Path webhookCert,
      AnalysisStatus status,
      List<AutoCloseable> started) {
    MemberController.Settings writer =
        MemberController.Settings.defaults(controlPlaneNamespace, rollName, Identity.get());
    MemberController members = new MemberController(client, writer);
    if (ior) {
      IorController routes = new IorController(client, writer);
      started.add(routes);
      members.add(routes);
    }
    if (webhookCert != null) {
      CaBundleWriter bundles = new CaBundleWriter(client, controlPlaneNamespace, webhookCert);
      started.add(bundles);
      members.add(bundles);
    }
    if (status != null) {
      started.add(status);
      members.add(status);
    }
    // Stopped before the writers it runs.
    started.add(members);
    members.start();
  }

  /** Waits for the process to be asked to stop, then stops what was started, the last first. */
  private static void awaitShutdown(List<AutoCloseable> started) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log.info("stopping");
                  stop(started);
                  stopped.countDown();
                },
                "mizzen-shutdown"));
    stopped.await();
  }

  /** Closes what was started, the last first. */
  private static void stop(List<AutoCloseable> started) {
    for (int i = started.size() - 1; i >= 0; i--) {
      try {
        started.get(i).close();
      } catch (Exception e) {
        log.warn("stopping {} failed: {}", started.get(i).getClass().getSimpleName(), e.toString());
      }
    }
  }
}
