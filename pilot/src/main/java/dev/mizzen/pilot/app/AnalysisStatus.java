package dev.mizzen.pilot.app;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.ConfigError;
import dev.mizzen.ingest.model.Kind;
import dev.mizzen.ingest.model.ObjectRef;
import dev.mizzen.pilot.analysis.AnalysisMessage;
import dev.mizzen.pilot.control.PushStatus;
import dev.mizzen.tenancy.controller.LeaderTask;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts what the analysis of the last push found on each analysed object in the cluster, as istiod's
 * analysis does: {@code status.validationMessages} and a {@code Reconciled} condition ({@link
 * IstioStatus}), through the status subresource. Only while this replica holds the writers' Lease
 * (the member controller's with {@code --manage-members}, else one of the serving replicas' own),
 * only in member namespaces, only on Istio's and Maistra's kinds, and only when the status changes:
 * what each object's status holds is read (one list per kind and namespace) the first time and
 * whenever its analysis changes, and written only when it differs. Writes run on their own thread,
 * never the push's; a failed one is logged and tried again after a while. Needs {@code update} on
 * the status of those kinds in the members ({@code deploy/control-plane.yaml}).
 */
public final class AnalysisStatus implements LeaderTask, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AnalysisStatus.class);

  /** The kinds whose objects get a status: Istio's and Maistra's config, not the roll. */
  static final List<Kind<?>> KINDS =
      List.of(
          Kind.VIRTUAL_SERVICE,
          Kind.DESTINATION_RULE,
          Kind.GATEWAY,
          Kind.SERVICE_ENTRY,
          Kind.SIDECAR,
          Kind.AUTHORIZATION_POLICY,
          Kind.PEER_AUTHENTICATION,
          Kind.REQUEST_AUTHENTICATION,
          Kind.SERVICE_MESH_POLICY,
          Kind.SERVICE_MESH_RBAC_CONFIG);

  static final String SERVED = "Served";
  static final String REFUSED = "Refused";
  static final String FAIL_CLOSED = "ServedFailClosed";
  private static final String CLUSTER = "kubernetes";
  private static final Duration RETRY = Duration.ofSeconds(30);
  private static final Duration RESYNC = Duration.ofMinutes(10);

  private final KubernetesClient client;
  private final String controlPlaneNamespace;
  private final Clock clock;
  private final ScheduledExecutorService executor =
      Executors.newSingleThreadScheduledExecutor(
          new ThreadFactoryBuilder().setNameFormat("mizzen-status").setDaemon(true).build());
  private final AtomicBoolean queued = new AtomicBoolean();
  private volatile PushStatus latest;
  private volatile Function<Kind<?>, String> versions;
  private volatile boolean leading;

  /** The configured members, when the member controller tells them; null otherwise. */
  private volatile SortedSet<String> configured;

  /** What each object's status is known to say, as last read or written (writer thread only). */
  private final Map<ObjectRef, IstioStatus.Desired> known = new HashMap<>();

  public AnalysisStatus(KubernetesClient client, String controlPlaneNamespace, Clock clock) {
    this.client = client;
    this.controlPlaneNamespace = controlPlaneNamespace;
    this.clock = clock;
    executor.scheduleWithFixedDelay(
        () -> {
          known.clear();
          sync();
        },
        RESYNC.toMillis(),
        RESYNC.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /**
   * Reads from now on what every push found ({@code versions}: the version each kind is read at).
   */
  public void follow(Function<Kind<?>, String> versions, PushStatus current) {
    this.versions = versions;
    analysed(current);
  }

  /** A push is done: its analysis is what the status should say. */
  public void analysed(PushStatus status) {
    if (status != null) {
      latest = status;
      request();
    }
  }

  @Override
  public void startLeading() {
    leading = true;
    submit(
        () -> {
          known.clear();
          sync();
        });
  }

  @Override
  public boolean members(SortedSet<String> members) {
    configured = new TreeSet<>(members);
    request();
    return true;
  }

  @Override
  public void stopLeading() {
    leading = false;
    submit(known::clear);
  }

  private void request() {
    if (queued.compareAndSet(false, true)) {
      submit(
          () -> {
            queued.set(false);
            sync();
          });
    }
  }

  private void submit(Runnable task) {
    try {
      executor.execute(task);
    } catch (RejectedExecutionException e) {
      // closing
    }
  }

  /** Brings every analysed object's status in line with the last push; on the writer thread. */
  private void sync() {
    PushStatus s = latest;
    Function<Kind<?>, String> v = versions;
    if (!leading || s == null || v == null) {
      return;
    }
    Map<ObjectRef, IstioStatus.Desired> wanted = desired(s);
    known.keySet().retainAll(wanted.keySet());
    // By kind, then namespace: each pair is read once.
    Map<Kind<?>, Map<String, List<ObjectRef>>> todo = new LinkedHashMap<>();
    wanted.forEach(
        (ref, d) -> {
          if (!d.equals(known.get(ref))) {
            todo.computeIfAbsent(ref.kind(), k -> new TreeMap<>())
                .computeIfAbsent(ref.namespace(), n -> new ArrayList<>())
                .add(ref);
          }
        });
    boolean failed = false;
    for (Map.Entry<Kind<?>, Map<String, List<ObjectRef>>> byKind : todo.entrySet()) {
      ResourceDefinitionContext context = context(byKind.getKey(), v.apply(byKind.getKey()));
      for (Map.Entry<String, List<ObjectRef>> byNamespace : byKind.getValue().entrySet()) {
        Map<String, GenericKubernetesResource> present = new HashMap<>();
        try {
          for (GenericKubernetesResource o :
              client
                  .genericKubernetesResources(context)
                  .inNamespace(byNamespace.getKey())
                  .list()
                  .getItems()) {
            present.put(o.getMetadata().getName(), o);
          }
        } catch (KubernetesClientException e) {
          log.warn(
              "status of {} in {} not written: cannot list them: {}",
              context.getPlural(),
              byNamespace.getKey(),
              e.getMessage());
          failed = true;
          continue;
        }
        for (ObjectRef ref : byNamespace.getValue()) {
          GenericKubernetesResource object = present.get(ref.name());
          if (object == null) {
            // Gone since the push; the next push forgets it.
            continue;
          }
          if (write(context, object, ref, wanted.get(ref))) {
            known.put(ref, wanted.get(ref));
          } else {
            failed = true;
          }
        }
      }
    }
    if (failed) {
      try {
        executor.schedule(this::request, RETRY.toMillis(), TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        // closing
      }
    }
  }

  @SuppressWarnings("unchecked")
  private boolean write(
      ResourceDefinitionContext context,
      GenericKubernetesResource object,
      ObjectRef ref,
      IstioStatus.Desired desired) {
    Map<String, Object> previous =
        object.get("status") instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
    Map<String, Object> status = IstioStatus.build(previous, desired, clock.instant());
    if (status.equals(previous)) {
      return true;
    }
    object.setAdditionalProperty("status", status);
    try {
      client
          .genericKubernetesResources(context)
          .inNamespace(ref.namespace())
          .resource(object)
          .updateStatus();
      log.debug("status of {} written: {}", ref, status);
      return true;
    } catch (KubernetesClientException e) {
      log.warn("status of {} not written, trying again later: {}", ref, e.getMessage());
      return false;
    }
  }

  /** What the status of each analysed object of the members, read from the cluster, should say. */
  Map<ObjectRef, IstioStatus.Desired> desired(PushStatus s) {
    Map<ObjectRef, List<AnalysisMessage>> messages = s.analysis().byObject();
    Map<ObjectRef, ConfigError> failClosed = new HashMap<>();
    for (ConfigError e : s.push().authz().errors()) {
      Kind.byName(e.kind())
          .ifPresent(k -> failClosed.putIfAbsent(new ObjectRef(k, e.namespace(), e.name()), e));
    }
    Map<ObjectRef, IstioStatus.Desired> out = new TreeMap<>();
    for (Kind<?> kind : KINDS) {
      for (Config<?> c : s.config().list(kind)) {
        if (!c.origin().equals(CLUSTER) || !writes(s, c.namespace())) {
          continue;
        }
        ConfigError error = c.isStandIn() ? c.failedClosed() : failClosed.get(c.ref());
        out.put(
            c.ref(),
            new IstioStatus.Desired(
                messages.getOrDefault(c.ref(), List.of()),
                error == null,
                error == null ? SERVED : FAIL_CLOSED,
                error == null
                    ? "Served by control plane " + controlPlaneNamespace
                    : "Served fail closed by control plane "
                        + controlPlaneNamespace
                        + ": "
                        + problem(error),
                c.meta().generation()));
      }
    }
    for (ConfigError e : s.refused()) {
      var kind = Kind.byName(e.kind());
      if (!e.origin().equals(CLUSTER)
          || kind.isEmpty()
          || !KINDS.contains(kind.get())
          || e.name().isEmpty()
          || !writes(s, e.namespace())) {
        continue;
      }
      ObjectRef ref = new ObjectRef(kind.get(), e.namespace(), e.name());
      out.putIfAbsent(
          ref,
          new IstioStatus.Desired(
              messages.getOrDefault(ref, List.of()),
              false,
              REFUSED,
              "Refused by control plane " + controlPlaneNamespace + ": " + problem(e),
              0));
    }
    return out;
  }

  /** Whether objects of {@code namespace} get a status: members only. */
  private boolean writes(PushStatus s, String namespace) {
    SortedSet<String> members = configured;
    return s.membership().isMember(namespace)
        && (members == null
            || namespace.equals(controlPlaneNamespace)
            || members.contains(namespace));
  }

  private static String problem(ConfigError e) {
    return e.field().isEmpty() ? e.reason() : e.field() + ": " + e.reason();
  }

  private static ResourceDefinitionContext context(Kind<?> kind, String version) {
    return new ResourceDefinitionContext.Builder()
        .withGroup(kind.group())
        .withVersion(version)
        .withKind(kind.name())
        .withPlural(kind.plural())
        .withNamespaced(true)
        .build();
  }

  @Override
  public void close() {
    leading = false;
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
