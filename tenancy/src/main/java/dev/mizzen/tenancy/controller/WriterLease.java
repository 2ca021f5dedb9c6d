package dev.mizzen.tenancy.controller;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectorBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Lease of its own for writers that run beside a serving control plane rather than beside the
 * member controller (which runs its tasks under its own Lease): of several replicas, only the one
 * holding it runs the tasks. Its tasks are told when it starts and stops leading, on one thread, in
 * order; they are never told the members (they follow the roll's status, as the serving replicas
 * do). The Lease is timed as the member controller's.
 */
public final class WriterLease implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WriterLease.class);

  private final KubernetesClient client;
  private final String namespace;
  private final String name;
  private final String identity;
  private final LeaderTasks tasks = new LeaderTasks();
  private final ExecutorService executor;
  private final ExecutorService leaseExecutor;
  private volatile CompletableFuture<?> election;
  private volatile boolean leading;

  /**
   * @param namespace where the Lease lives (the control plane's namespace)
   * @param name the Lease's name
   * @param identity this replica's name in the Lease
   */
  public WriterLease(KubernetesClient client, String namespace, String name, String identity) {
    this.client = client;
    this.namespace = namespace;
    this.name = name;
    this.identity = identity;
    this.executor =
        Executors.newSingleThreadExecutor(
            new ThreadFactoryBuilder().setNameFormat(name).setDaemon(true).build());
    this.leaseExecutor =
        Executors.newSingleThreadExecutor(
            new ThreadFactoryBuilder().setNameFormat(name + "-lease").setDaemon(true).build());
  }

  /** Runs {@code task} while this replica holds the Lease; add tasks before {@link #start}. */
  public void add(LeaderTask task) {
    tasks.add(task);
  }

  /** Joins the election. Returns at once. */
  public void start() {
    election =
        new LeaderElectorBuilder(client, leaseExecutor)
            .withConfig(
                new LeaderElectionConfigBuilder()
                    .withName(name)
                    .withLock(new LeaseLock(namespace, name, identity))
                    .withLeaseDuration(Duration.ofSeconds(15))
                    .withRenewDeadline(Duration.ofSeconds(10))
                    .withRetryPeriod(Duration.ofSeconds(2))
                    .withReleaseOnCancel(true)
                    .withLeaderCallbacks(
                        new LeaderCallbacks(
                            () -> submit(this::startLeading),
                            () -> submit(this::stopLeading),
                            leader ->
                                log.info("Lease {}/{} is held by {}", namespace, name, leader)))
                    .build())
            .build()
            .start();
  }

  /** Whether this replica holds the Lease and its tasks run. */
  public boolean isLeader() {
    return leading;
  }

  private void startLeading() {
    if (!leading) {
      leading = true;
      tasks.startLeading();
    }
  }

  private void stopLeading() {
    if (leading) {
      leading = false;
      tasks.stopLeading();
    }
  }

  private void submit(Runnable task) {
    try {
      executor.execute(task);
    } catch (RejectedExecutionException e) {
      log.debug("Lease {} closing; {} not run", name, task);
    }
  }

  @Override
  public void close() {
    CompletableFuture<?> e = election;
    if (e != null) {
      e.cancel(true);
    }
    submit(this::stopLeading);
    executor.shutdown();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
    }
    leaseExecutor.shutdownNow();
  }
}
