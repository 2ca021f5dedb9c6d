package dev.mizzen.tenancy.controller;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import dev.mizzen.tenancy.MemberRollResolver;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectorBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maistra's member controller for one control plane: makes the namespaces of its
 * ServiceMeshMemberRoll (and of ServiceMeshMembers that point at it) members, and reports them in
 * the roll's status, which the serving control planes follow. It writes to the API server only
 * while it holds the Lease {@code mizzen-member-controller} in the control plane namespace, so
 * several replicas may run it.
 */
public final class MemberController implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MemberController.class);

  /** The annotation on a roll created for a ServiceMeshMember, as Maistra's operator sets it. */
  public static final String CREATED_BY = "maistra.io/created-by";

  static final String LEASE_NAME = "mizzen-member-controller";

  static final ResourceDefinitionContext ROLLS =
      context("ServiceMeshMemberRoll", "servicemeshmemberrolls");
  static final ResourceDefinitionContext MEMBERS =
      context("ServiceMeshMember", "servicemeshmembers");

  /**
   * How to run.
   *
   * @param controlPlaneNamespace the control plane's namespace, where its roll lives
   * @param rollName the roll to follow
   * @param meshName the suffix of the NetworkPolicies' names ({@code istio-mesh-NAME})
   * @param maistraVersion the value of the {@code maistra-version} label on what is written
   * @param identity this replica's name in the Lease
   * @param resync how often every member is checked against the API server even without events
   * @param publishRootCertificate whether to publish the mesh's root certificate (from the Secret
   *     {@code cacerts}, else {@code istio-ca-secret}, of the control plane's namespace) in each
   *     member's ConfigMap {@code istio-ca-root-cert}; not when an external CA publishes its own
   */
  public record Settings(
      String controlPlaneNamespace,
      String rollName,
      String meshName,
      String maistraVersion,
      String identity,
      Duration resync,
      boolean publishRootCertificate) {
    public Settings {
      Objects.requireNonNull(controlPlaneNamespace);
      Objects.requireNonNull(rollName);
      Objects.requireNonNull(meshName);
      Objects.requireNonNull(maistraVersion);
      Objects.requireNonNull(identity);
      Objects.requireNonNull(resync);
    }

    public static Settings defaults(
        String controlPlaneNamespace, String rollName, String identity) {
      return new Settings(
          controlPlaneNamespace,
          rollName,
          "default",
          "2.6.0",
          identity,
          Duration.ofMinutes(5),
          true);
    }

    /** The same settings, publishing the root certificate or not. */
    public Settings withPublishRootCertificate(boolean publish) {
      return new Settings(
          controlPlaneNamespace, rollName, meshName, maistraVersion, identity, resync, publish);
    }
  }

  private final KubernetesClient client;
  private final Settings settings;
  private final MemberReconciler reconciler;
  private final ScheduledExecutorService executor;
  private final ExecutorService leaseExecutor;
  private final AtomicBoolean queued = new AtomicBoolean();
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
  private final LeaderTasks tasks = new LeaderTasks();
  private final Clock clock = Clock.systemUTC();
  private volatile SharedIndexInformer<GenericKubernetesResource> rolls;
  private volatile SharedIndexInformer<GenericKubernetesResource> members;
  private volatile SharedIndexInformer<Namespace> namespaces;
  private volatile SharedIndexInformer<RoleBinding> roleBindings;
  private final List<SharedIndexInformer<Secret>> caSecrets = new ArrayList<>();
  private volatile boolean elected;
  private volatile boolean leading;
  private volatile CompletableFuture<?> election;
  private volatile ScheduledFuture<?> resync;

  public MemberController(KubernetesClient client, Settings settings) {
    this.client = client;
    this.settings = settings;
    this.reconciler =
        new MemberReconciler(
            client,
            settings.controlPlaneNamespace(),
            settings.rollName(),
            new MemberResources(
                settings.controlPlaneNamespace(), settings.meshName(), settings.maistraVersion()));
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            new ThreadFactoryBuilder()
                .setNameFormat("mizzen-member-controller")
                .setDaemon(true)
                .build());
    this.leaseExecutor =
        Executors.newSingleThreadExecutor(
            new ThreadFactoryBuilder()
                .setNameFormat("mizzen-member-lease")
                .setDaemon(true)
                .build());
  }

  private static ResourceDefinitionContext context(String kind, String plural) {
    return new ResourceDefinitionContext.Builder()
        .withGroup("maistra.io")
        .withVersion("v1")
        .withKind(kind)
        .withPlural(plural)
        .withNamespaced(true)
        .build();
  }

  /** Runs {@code task} while this replica holds the Lease; add tasks before {@link #start}. */
  public void add(LeaderTask task) {
    tasks.add(task);
  }

  /** Joins the election for the Lease; reconciles while leading. Returns at once. */
  public void start() {
    LeaseLock lock =
        new LeaseLock(settings.controlPlaneNamespace(), LEASE_NAME, settings.identity());
    election =
        new LeaderElectorBuilder(client, leaseExecutor)
            .withConfig(
                new LeaderElectionConfigBuilder()
                    .withName(LEASE_NAME)
                    .withLock(lock)
                    .withLeaseDuration(Duration.ofSeconds(15))
                    .withRenewDeadline(Duration.ofSeconds(10))
                    .withRetryPeriod(Duration.ofSeconds(2))
                    .withReleaseOnCancel(true)
                    .withLeaderCallbacks(
                        new LeaderCallbacks(
                            () -> {
                              elected = true;
                              submit(this::startLeading);
                            },
                            () -> {
                              elected = false;
                              submit(this::stopLeading);
                            },
                            leader ->
                                log.info(
                                    "member controller leader of {} is {}",
                                    settings.controlPlaneNamespace(),
                                    leader)))
                    .build())
            .build()
            .start();
  }

  /** Runs {@code task} on the controller's thread, unless the controller is closing. */
  private void submit(Runnable task) {
    try {
      executor.execute(task);
    } catch (RejectedExecutionException e) {
      log.debug("member controller closing; {} not run", task);
    }
  }

  /** Whether this replica holds the Lease and writes. */
  public boolean isLeader() {
    return leading;
  }

  private void startLeading() {
    if (!elected || leading) {
      return;
    }
    try {
      watch();
    } catch (KubernetesClientException e) {
      log.warn(
          "member controller of {} cannot read what it needs, retrying: {}",
          settings.controlPlaneNamespace(),
          e.getMessage());
      informers.forEach(SharedIndexInformer::stop);
      informers.clear();
      executor.schedule(this::startLeading, 5, TimeUnit.SECONDS);
      return;
    }
    leading = true;
    tasks.startLeading();
    resync =
        executor.scheduleWithFixedDelay(
            () -> {
              reconciler.forget();
              request();
            },
            settings.resync().toMillis(),
            settings.resync().toMillis(),
            TimeUnit.MILLISECONDS);
    request();
  }

  private void watch() {
    String cp = settings.controlPlaneNamespace();
    log.info("member controller of {} is leading: configuring members", cp);
    ResourceEventHandler<Object> any =
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(Object obj) {
            request();
          }

          @Override
          public void onUpdate(Object oldObj, Object newObj) {
            request();
          }

          @Override
          public void onDelete(Object obj, boolean deletedFinalStateUnknown) {
            request();
          }
        };
    rolls =
        started(
            client
                .genericKubernetesResources(ROLLS)
                .inNamespace(cp)
                .withName(settings.rollName())
                .inform(any, 0));
    members = started(client.genericKubernetesResources(MEMBERS).inAnyNamespace().inform(any, 0));
    namespaces = started(client.namespaces().inform(any, 0));
    roleBindings =
        started(
            client
                .rbac()
                .roleBindings()
                .inNamespace(cp)
                .withLabel(MemberResources.OWNER_LABEL, cp)
                .inform(any, 0));
    caSecrets.clear();
    if (settings.publishRootCertificate()) {
      // Watched by name: the right to read them names them, and no other Secret is read.
      for (String name : CaSecrets.SECRETS) {
        caSecrets.add(started(client.secrets().inNamespace(cp).withName(name).inform(any, 0)));
      }
    }
  }

  private <T> SharedIndexInformer<T> started(SharedIndexInformer<T> informer) {
    informers.add(informer);
    return informer;
  }

  private void stopLeading() {
    leading = false;
    ScheduledFuture<?> r = resync;
    if (r != null) {
      r.cancel(false);
    }
    informers.forEach(SharedIndexInformer::stop);
    informers.clear();
    reconciler.forget();
    tasks.stopLeading();
    log.info("member controller of {} stopped leading", settings.controlPlaneNamespace());
  }

  private void request() {
    if (queued.compareAndSet(false, true)) {
      submit(
          () -> {
            queued.set(false);
            if (leading) {
              reconcileSafely();
            }
          });
    }
  }

  private void reconcileSafely() {
    try {
      if (!reconcile()) {
        executor.schedule(this::request, 2, TimeUnit.SECONDS);
      }
    } catch (RuntimeException e) {
      log.warn(
          "reconciling the members of {} failed, retrying: {}",
          settings.controlPlaneNamespace(),
          e.toString());
      executor.schedule(this::request, 2, TimeUnit.SECONDS);
    }
  }

  /** One pass; false when something failed and should be retried. */
  private boolean reconcile() {
    String cp = settings.controlPlaneNamespace();
    GenericKubernetesResource roll = rolls.getStore().getByKey(cp + "/" + settings.rollName());
    List<GenericKubernetesResource> joining = joining();
    if (roll == null && !joining.isEmpty()) {
      createRoll();
      return true;
    }
    Set<String> listed = new LinkedHashSet<>();
    if (roll != null && roll.get("spec", "members") instanceof List<?> specMembers) {
      specMembers.forEach(m -> listed.add(String.valueOf(m)));
    }
    joining.forEach(m -> listed.add(m.getMetadata().getNamespace()));
    List<RoleBinding> sources = roleBindings.getStore().list();
    String root =
        CaSecrets.root(caSecrets.stream().flatMap(i -> i.getStore().list().stream()).toList())
            .orElse(null);
    List<MemberOutcome> outcomes = new ArrayList<>();
    Map<String, MemberOutcome> byNamespace = new LinkedHashMap<>();
    for (String ns : listed) {
      MemberOutcome o = reconciler.configure(ns, namespaces.getStore().getByKey(ns), sources, root);
      outcomes.add(o);
      byNamespace.put(ns, o);
    }
    boolean ok = true;
    // Tasks finish with a leaving namespace before its RoleBindings (maybe their rights) go.
    boolean tasksDone = tasks.members(outcomes);
    for (Namespace ns : namespaces.getStore().list()) {
      Map<String, String> labels =
          Objects.requireNonNullElse(ns.getMetadata().getLabels(), Map.of());
      MemberOutcome o = byNamespace.get(ns.getMetadata().getName());
      if (cp.equals(labels.get(MemberRollResolver.MEMBER_OF_LABEL)) && o == null) {
        if (!tasksDone) {
          ok = false;
          continue;
        }
        try {
          reconciler.unconfigure(ns);
        } catch (KubernetesClientException e) {
          ok = false;
        }
      }
    }
    if (roll != null) {
      ok &= writeRollStatus(roll, outcomes);
    }
    for (GenericKubernetesResource m : joining) {
      ok &= writeMemberStatus(m, byNamespace.get(m.getMetadata().getNamespace()));
    }
    return ok && outcomes.stream().noneMatch(MemberOutcome::retry);
  }

  /** ServiceMeshMembers named default that point at this control plane. */
  private List<GenericKubernetesResource> joining() {
    return members.getStore().list().stream()
        .filter(m -> "default".equals(m.getMetadata().getName()))
        .filter(
            m ->
                settings
                    .controlPlaneNamespace()
                    .equals(m.get("spec", "controlPlaneRef", "namespace")))
        .sorted(Comparator.comparing(m -> m.getMetadata().getNamespace()))
        .toList();
  }

  private void createRoll() {
    GenericKubernetesResource roll = new GenericKubernetesResource();
    roll.setApiVersion("maistra.io/v1");
    roll.setKind("ServiceMeshMemberRoll");
    roll.setMetadata(
        new ObjectMetaBuilder()
            .withName(settings.rollName())
            .withNamespace(settings.controlPlaneNamespace())
            .addToAnnotations(CREATED_BY, "servicemeshmember-controller")
            .addToLabels(MemberResources.VERSION_LABEL, settings.maistraVersion())
            .build());
    roll.setAdditionalProperty("spec", Map.of("members", List.of()));
    client
        .genericKubernetesResources(ROLLS)
        .inNamespace(settings.controlPlaneNamespace())
        .resource(roll)
        .create();
    log.info(
        "created ServiceMeshMemberRoll {}/{} for the ServiceMeshMembers that point at it",
        settings.controlPlaneNamespace(),
        settings.rollName());
  }

  @SuppressWarnings("unchecked")
  private boolean writeRollStatus(GenericKubernetesResource roll, List<MemberOutcome> outcomes) {
    Map<String, Object> previous =
        roll.get("status") instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
    Map<String, Object> status =
        RollStatus.build(roll.getMetadata().getGeneration(), outcomes, previous, clock.instant());
    if (status.equals(previous)) {
      return true;
    }
    roll.setAdditionalProperty("status", status);
    try {
      client
          .genericKubernetesResources(ROLLS)
          .inNamespace(settings.controlPlaneNamespace())
          .resource(roll)
          .updateStatus();
      return true;
    } catch (KubernetesClientException e) {
      log.debug("status of the member roll not written, retrying: {}", e.getMessage());
      return false;
    }
  }

  @SuppressWarnings("unchecked")
  private boolean writeMemberStatus(GenericKubernetesResource member, MemberOutcome outcome) {
    Map<String, Object> previous =
        member.get("status") instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
    Map<String, Object> status =
        MemberReconciler.memberStatus(member, outcome, previous, clock.instant());
    if (status.equals(previous)) {
      return true;
    }
    member.setAdditionalProperty("status", status);
    try {
      client
          .genericKubernetesResources(MEMBERS)
          .inNamespace(member.getMetadata().getNamespace())
          .resource(member)
          .updateStatus();
      return true;
    } catch (KubernetesClientException e) {
      log.debug(
          "status of ServiceMeshMember {} not written, retrying: {}",
          member.getMetadata().getNamespace(),
          e.getMessage());
      return false;
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
