package dev.mizzen.openshift.ior;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import dev.mizzen.tenancy.controller.LeaderTask;
import dev.mizzen.tenancy.controller.MemberController;
import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GroupVersionForDiscovery;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.openshift.api.model.Route;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Istio OpenShift Routing: mirrors every Gateway of the member namespaces as OpenShift Routes, one
 * per host of each server, and keeps them in step. It runs beside the member controller, under its
 * Lease, so only one replica writes; it learns the members from it, and deletes the Routes of a
 * namespace that leaves before the namespace loses the RoleBinding that grants IOR its rights
 * there. It does nothing on a cluster that does not serve {@code route.openshift.io/v1} Routes.
 *
 * <p>Each pass compares what every Gateway asks for with the Routes IOR made (those labelled {@code
 * maistra.io/generated-by: ior} in the watched namespaces) and writes the difference, so the first
 * pass after gaining the Lease also keeps current Routes, rewrites stale ones and deletes orphaned
 * ones. All state lives on one thread.
 */
public final class IorController implements LeaderTask, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(IorController.class);
  static final String ROUTES_GROUP_VERSION = "route.openshift.io/v1";
  private static final String ISTIO_NETWORKING = "networking.istio.io";
  private static final List<String> GATEWAY_VERSIONS = List.of("v1", "v1beta1", "v1alpha3");
  private static final long WAIT_SECONDS = 60;

  /** How long a pass waits for a new namespace to be read before going on without it. */
  private static final Duration READ_GRACE = Duration.ofSeconds(30);

  private final KubernetesClient client;
  private final String controlPlaneNamespace;
  private final RoutePlanner planner;
  private final GatewayEvents events;
  private final ScheduledExecutorService executor;
  private final AtomicBoolean queued = new AtomicBoolean();
  private final Map<String, NamespaceWatch> watches = new TreeMap<>();
  private boolean leading;
  private boolean served;
  private ResourceDefinitionContext gatewayKind;
  private SortedSet<String> configured = new TreeSet<>();
  private boolean graceCheck;
  private volatile boolean active;

  /**
   * @param settings the member controller's: the control plane, the maistra-version, this replica
   */
  public IorController(KubernetesClient client, MemberController.Settings settings) {
    this.client = client;
    this.controlPlaneNamespace = settings.controlPlaneNamespace();
    this.planner = new RoutePlanner(settings.controlPlaneNamespace(), settings.maistraVersion());
    this.events = new GatewayEvents(client, settings.identity(), Clock.systemUTC());
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            new ThreadFactoryBuilder().setNameFormat("mizzen-ior").setDaemon(true).build());
  }

  /** Whether this replica leads and the cluster serves Routes, so that Routes are being written. */
  public boolean isActive() {
    return active;
  }

  @Override
  public void startLeading() {
    call(
        () -> {
          leading = true;
          checkRoutesServed();
          return null;
        });
  }

  @Override
  public boolean members(SortedSet<String> configured) {
    Boolean done = call(() -> applyMembers(configured));
    return Boolean.TRUE.equals(done);
  }

  @Override
  public void stopLeading() {
    call(
        () -> {
          leading = false;
          active = false;
          watches.values().forEach(NamespaceWatch::stop);
          watches.clear();
          events.forgetAll();
          return null;
        });
  }

  @Override
  public String toString() {
    return "IOR of " + controlPlaneNamespace;
  }

  /** Runs {@code task} on IOR's thread and waits for it; null when it failed or took too long. */
  private <T> T call(Callable<T> task) {
    try {
      return executor.submit(task).get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      log.warn("IOR of {}: {}", controlPlaneNamespace, e.getCause().toString());
    } catch (TimeoutException e) {
      log.warn("IOR of {} did not answer within {}s", controlPlaneNamespace, WAIT_SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RejectedExecutionException e) {
      log.debug("IOR of {} is closed", controlPlaneNamespace);
    }
    return null;
  }

  private void checkRoutesServed() {
    try {
      APIResourceList resources = client.getApiResources(ROUTES_GROUP_VERSION);
      served =
          resources != null
              && resources.getResources() != null
              && resources.getResources().stream().anyMatch(r -> "routes".equals(r.getName()));
    } catch (KubernetesClientException e) {
      log.warn(
          "IOR of {}: cannot tell whether the cluster serves {} Routes, asking again in 30s: {}",
          controlPlaneNamespace,
          ROUTES_GROUP_VERSION,
          e.getMessage());
      executor.schedule(this::checkAgain, 30, TimeUnit.SECONDS);
      return;
    }
    if (!served) {
      log.info(
          "IOR of {} is off: the cluster does not serve {} Routes, so Gateways are not mirrored as Routes",
          controlPlaneNamespace,
          ROUTES_GROUP_VERSION);
      return;
    }
    gatewayKind = gatewayKind();
    log.info(
        "IOR of {} is on: mirroring the Gateways ({}) of the member namespaces as Routes",
        controlPlaneNamespace,
        gatewayKind.getVersion());
  }

  private void checkAgain() {
    if (leading && !served) {
      checkRoutesServed();
      applyMembers(configured);
    }
  }

  /** The Gateway version the API server prefers among those IOR reads. */
  private ResourceDefinitionContext gatewayKind() {
    String version = GATEWAY_VERSIONS.get(0);
    try {
      APIGroup group = client.getApiGroup(ISTIO_NETWORKING);
      if (group != null && group.getVersions() != null && !group.getVersions().isEmpty()) {
        Set<String> offered =
            new TreeSet<>(
                group.getVersions().stream().map(GroupVersionForDiscovery::getVersion).toList());
        String preferred =
            group.getPreferredVersion() == null ? null : group.getPreferredVersion().getVersion();
        version =
            GATEWAY_VERSIONS.contains(preferred)
                ? preferred
                : GATEWAY_VERSIONS.stream().filter(offered::contains).findFirst().orElse(version);
      }
    } catch (KubernetesClientException e) {
      log.warn(
          "IOR of {}: discovery of {} failed, reading Gateways at {}: {}",
          controlPlaneNamespace,
          ISTIO_NETWORKING,
          version,
          e.getMessage());
    }
    return new ResourceDefinitionContext.Builder()
        .withGroup(ISTIO_NETWORKING)
        .withVersion(version)
        .withKind("Gateway")
        .withPlural("gateways")
        .withNamespaced(true)
        .build();
  }

  private boolean applyMembers(SortedSet<String> members) {
    configured = new TreeSet<>(members);
    if (!leading || !served) {
      return true;
    }
    active = true;
    SortedSet<String> wanted = new TreeSet<>(configured);
    wanted.add(controlPlaneNamespace);
    for (String ns : new ArrayList<>(watches.keySet())) {
      if (!wanted.contains(ns)) {
        if (!deleteRoutesOfLeaving(ns, wanted)) {
          return false;
        }
        watches.remove(ns).stop();
        log.info(
            "IOR of {}: namespace {} left the member roll; its Gateways' Routes are deleted",
            controlPlaneNamespace,
            ns);
      }
    }
    for (String ns : wanted) {
      watches.computeIfAbsent(ns, n -> NamespaceWatch.start(client, n, gatewayKind, this::request));
    }
    request();
    return true;
  }

  /**
   * Deletes the Routes of the Gateways of {@code leaving}, wherever they are, and the Routes in
   * {@code leaving}, whose Service is leaving the mesh; read from the API server, not the caches,
   * since this is the last chance to.
   */
  private boolean deleteRoutesOfLeaving(String leaving, Set<String> staying) {
    try {
      List<Route> doomed = new ArrayList<>(routes(leaving, Map.of()));
      for (String ns : staying) {
        if (watches.containsKey(ns)) {
          doomed.addAll(routes(ns, Map.of(RoutePlanner.GATEWAY_NAMESPACE, leaving)));
        }
      }
      for (Route r : doomed) {
        delete(r, "namespace " + leaving + " left the member roll");
      }
      return true;
    } catch (KubernetesClientException e) {
      log.warn(
          "IOR of {}: the Routes of leaving namespace {} not deleted yet, retrying: {}",
          controlPlaneNamespace,
          leaving,
          e.getMessage());
      return false;
    }
  }

  private List<Route> routes(String namespace, Map<String, String> labels) {
    Map<String, String> selector = new HashMap<>(labels);
    selector.put(RoutePlanner.GENERATED_BY, RoutePlanner.GENERATED_BY_IOR);
    return client
        .resources(Route.class)
        .inNamespace(namespace)
        .withLabels(selector)
        .list()
        .getItems();
  }

  private void request() {
    if (queued.compareAndSet(false, true)) {
      try {
        // A short pause gathers a burst of events into one pass.
        executor.schedule(
            () -> {
              queued.set(false);
              reconcileSafely();
            },
            100,
            TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        queued.set(false);
      }
    }
  }

  private void reconcileSafely() {
    try {
      if (!reconcile()) {
        executor.schedule(this::request, 2, TimeUnit.SECONDS);
      }
    } catch (RuntimeException e) {
      log.warn("IOR of {}: a pass failed, retrying: {}", controlPlaneNamespace, e.toString());
      executor.schedule(this::request, 2, TimeUnit.SECONDS);
    }
  }

  /**
   * One pass over the namespaces read so far; one that cannot be read (its RoleBinding not copied
   * yet, say) holds back only the Gateways that might need it. False when a write failed.
   */
  private boolean reconcile() {
    if (!leading || !served) {
      return true;
    }
    SortedSet<String> members = new TreeSet<>(watches.keySet());
    Set<String> unread = new TreeSet<>();
    long waitNanos = 0;
    for (NamespaceWatch w : watches.values()) {
      if (!w.hasSynced()) {
        unread.add(w.namespace);
        waitNanos = Math.max(waitNanos, READ_GRACE.toNanos() - (System.nanoTime() - w.startedAt));
      }
    }
    if (waitNanos > 0 || unread.size() == members.size()) {
      // Each namespace's first read asks for a pass; this one is for a namespace that never is
      // read.
      if (!graceCheck) {
        graceCheck = true;
        executor.schedule(
            () -> {
              graceCheck = false;
              request();
            },
            waitNanos > 0 ? waitNanos : READ_GRACE.toNanos(),
            TimeUnit.NANOSECONDS);
      }
      return true;
    }
    RoutePlanner.Workloads workloads =
        new RoutePlanner.Workloads() {
          @Override
          public boolean known(String namespace) {
            return watches.containsKey(namespace) && !unread.contains(namespace);
          }

          @Override
          public List<Pod> pods(String namespace) {
            NamespaceWatch w = watches.get(namespace);
            return w == null ? List.of() : w.pods.getStore().list();
          }

          @Override
          public List<Service> services(String namespace) {
            NamespaceWatch w = watches.get(namespace);
            return w == null ? List.of() : w.services.getStore().list();
          }
        };
    List<Plan> plans = new ArrayList<>();
    Map<String, GenericKubernetesResource> gateways = new TreeMap<>();
    for (NamespaceWatch w : watches.values()) {
      if (unread.contains(w.namespace)) {
        continue;
      }
      for (GenericKubernetesResource g : w.gateways.getStore().list()) {
        String ns = g.getMetadata().getNamespace();
        String name = g.getMetadata().getName();
        Plan plan;
        try {
          plan = planner.plan(GatewayReader.read(g), members, workloads);
        } catch (GatewayReader.InvalidGatewayException e) {
          plan = Plan.held(ns, name, "cannot be read: " + e.getMessage());
        }
        plans.add(plan);
        gateways.put(plan.gatewayKey(), g);
      }
    }
    List<Route> actual = new ArrayList<>();
    watches.values().stream()
        .filter(w -> !unread.contains(w.namespace))
        .forEach(w -> actual.addAll(w.routes.getStore().list()));
    boolean ok = apply(RouteDiff.of(plans, actual, unread));
    for (Plan p : plans) {
      events.report(gateways.get(p.gatewayKey()), p);
    }
    events.retain(gateways.keySet());
    return ok;
  }

  private boolean apply(RouteDiff diff) {
    boolean ok = true;
    for (Route r : diff.create()) {
      ok &=
          write(
              r,
              "created",
              () ->
                  client
                      .resources(Route.class)
                      .inNamespace(r.getMetadata().getNamespace())
                      .resource(r)
                      .create());
    }
    for (Route r : diff.update()) {
      ok &=
          write(
              r,
              "rewrote",
              () ->
                  client
                      .resources(Route.class)
                      .inNamespace(r.getMetadata().getNamespace())
                      .resource(r)
                      .update());
    }
    for (Route r : diff.delete()) {
      ok &= delete(r, "its Gateway no longer asks for it");
    }
    return ok;
  }

  private boolean write(Route r, String what, Runnable call) {
    try {
      call.run();
      log.info(
          "IOR {} Route {} for host \"{}\" of Gateway {}/{}",
          what,
          RouteDiff.key(r),
          r.getMetadata().getAnnotations().get(RoutePlanner.ORIGINAL_HOST),
          r.getMetadata().getLabels().get(RoutePlanner.GATEWAY_NAMESPACE),
          r.getMetadata().getLabels().get(RoutePlanner.GATEWAY_NAME));
      return true;
    } catch (KubernetesClientException e) {
      // A conflict means the cache is behind the API server: the next pass sees the Route as it is.
      log.warn("IOR: Route {} not {}, retrying: {}", RouteDiff.key(r), what, e.getMessage());
      return false;
    }
  }

  private boolean delete(Route r, String why) {
    try {
      client
          .resources(Route.class)
          .inNamespace(r.getMetadata().getNamespace())
          .withName(r.getMetadata().getName())
          .delete();
      log.info("IOR deleted Route {}: {}", RouteDiff.key(r), why);
      return true;
    } catch (KubernetesClientException e) {
      log.warn("IOR: Route {} not deleted, retrying: {}", RouteDiff.key(r), e.getMessage());
      return false;
    }
  }

  @Override
  public void close() {
    stopLeading();
    executor.shutdownNow();
  }
}
