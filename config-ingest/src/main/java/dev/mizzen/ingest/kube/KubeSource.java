package dev.mizzen.ingest.kube;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.util.concurrent.ThreadFactoryBuilder;
import dev.mizzen.ingest.model.Kind;
import dev.mizzen.ingest.model.MemberRollSpec;
import dev.mizzen.ingest.parse.ParseResult;
import dev.mizzen.ingest.store.ConfigStore;
import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.APIGroupList;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GroupVersionForDiscovery;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads config from the Kubernetes API server into a {@link ConfigStore}, watching only what one
 * control plane may see, as Maistra's istiod does: its ServiceMeshMemberRoll (and the
 * ServiceMeshPolicy and ServiceMeshRbacConfig named {@code default}) in its own namespace, and
 * every namespaced kind of the config model in each member namespace. Which namespaces those are is
 * not decided here: the rule's one owner (tenancy's member roll resolver) is handed in as {@link
 * #KubeSource(KubernetesClient, ConfigStore, String, String, WatchScope, Duration, Function)
 * watched}.
 *
 * <p>The roll enters the store only once the informers of the namespaces it adds have listed their
 * objects, and the namespaces it removes are drained after it: the push pipeline, which takes its
 * members from the roll in the store, never serves a member half-read. Informers that lose their
 * watch list and watch again on their own, reporting only differences, so the store keeps its last
 * state meanwhile.
 */
public final class KubeSource implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KubeSource.class);

  /**
   * Control-plane-wide Maistra kinds, honoured only under this name in the control plane's
   * namespace.
   */
  private static final List<WatchedKind> MESH_WIDE =
      List.of(
          new WatchedKind(
              "authentication.maistra.io", "v1", "servicemeshpolicies", "ServiceMeshPolicy"),
          new WatchedKind(
              "rbac.maistra.io", "v1", "servicemeshrbacconfigs", "ServiceMeshRbacConfig"));

  private static final String MESH_WIDE_NAME = "default";

  private final KubernetesClient client;
  private final ConfigStore store;
  private final String controlPlaneNamespace;
  private final String rollName;
  private final WatchScope scope;
  private final Duration syncTimeout;
  private final Function<MemberRollSpec, SortedSet<String>> watched;
  private final ObjectFeed feed;
  private final ExecutorService reconciler;
  private final CompletableFuture<Void> firstReconcile = new CompletableFuture<>();
  private final Map<String, InformerSet> byNamespace = new ConcurrentHashMap<>();
  private final List<InformerSet> controlPlaneObjects = new ArrayList<>();
  private final Map<String, APIGroup> discovered = new HashMap<>();
  private volatile List<WatchedKind> memberKinds = List.of();
  private volatile InformerSet cluster;
  private volatile InformerSet roll;
  private volatile WatchedKind rollKind;
  private volatile SortedSet<String> members = new TreeSet<>();
  private volatile boolean closed;

  /**
   * How the client of a cluster source reads what the API server sends: every object as it was
   * sent, never through fabric8's typed models of Kubernetes, Istio or OpenShift. Those models
   * silently change what they cannot hold (an unknown enum value becomes absent, a number becomes a
   * string), so an AuthorizationPolicy with {@code action: DENYT} would arrive as an ALLOW policy
   * instead of being refused. Typed requests of the same client (namespaces, Leases, events) still
   * read their own types.
   */
  public static KubernetesSerialization serialization() {
    return new KubernetesSerialization(new ObjectMapper(), false);
  }

  /**
   * @param client the client all informers share (one HTTP client, one connection pool); built with
   *     {@link #serialization()}
   * @param syncTimeout how long a new member's first list may take before its config is served
   *     anyway, so one unreadable namespace does not hold up the others
   * @param watched the namespaces to watch for the roll's spec (null when there is no roll, or it
   *     cannot be read), the control plane's own included
   */
  public KubeSource(
      KubernetesClient client,
      ConfigStore store,
      String controlPlaneNamespace,
      String rollName,
      WatchScope scope,
      Duration syncTimeout,
      Function<MemberRollSpec, SortedSet<String>> watched) {
    if (!readsAsSent(client.getKubernetesSerialization())) {
      throw new IllegalArgumentException(
          "the cluster source's client must read objects as sent: build it with"
              + " KubeSource.serialization()");
    }
    this.client = client;
    this.store = store;
    this.controlPlaneNamespace = controlPlaneNamespace;
    this.rollName = rollName;
    this.scope = scope;
    this.syncTimeout = syncTimeout;
    this.watched = watched;
    this.feed = new ObjectFeed(store, client.getKubernetesSerialization());
    this.reconciler =
        Executors.newSingleThreadExecutor(
            new ThreadFactoryBuilder()
                .setNameFormat("mizzen-kube-members")
                .setDaemon(true)
                .build());
  }

  /**
   * Whether {@code serialization} reads a watched kind's object as sent, not into a typed model.
   */
  private static boolean readsAsSent(KubernetesSerialization serialization) {
    for (Kind<?> kind : List.of(Kind.AUTHORIZATION_POLICY, Kind.SERVICE)) {
      String probe =
          "{\"apiVersion\":\""
              + (kind.group().isEmpty() ? "" : kind.group() + "/")
              + kind.versions().get(0)
              + "\",\"kind\":\""
              + kind.name()
              + "\"}";
      if (!(serialization.unmarshal(probe) instanceof GenericKubernetesResource)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Starts the informers and returns once the roll and every member namespace have been read, so
   * that the first push sees all of it.
   */
  public void start(Duration timeout) throws TimeoutException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    discoverGroups(timeout);
    rollKind =
        WatchedKind.of(Kind.SERVICE_MESH_MEMBER_ROLL, version(Kind.SERVICE_MESH_MEMBER_ROLL));
    memberKinds =
        Kind.all().stream()
            .filter(Kind::namespaced)
            .filter(k -> !controlPlaneOnly(k))
            // Endpoints come from EndpointSlices, as istiod reads them: the v1 Endpoints API is
            // deprecated and cuts a Service short at 1,000 addresses.
            .filter(k -> k != Kind.ENDPOINTS)
            .map(k -> WatchedKind.of(k, version(k)))
            .toList();
    feed.admit(Set.of(controlPlaneNamespace));
    if (scope == WatchScope.CLUSTER) {
      cluster = InformerSet.cluster(client, memberKinds, feed);
    }
    for (WatchedKind k : MESH_WIDE) {
      WatchedKind watched =
          Kind.byName(k.kindName())
              .<WatchedKind>map(kind -> WatchedKind.of(kind, version(kind)))
              .orElse(k);
      controlPlaneObjects.add(
          InformerSet.single(
              client, controlPlaneNamespace, watched, MESH_WIDE_NAME, feed.handler(watched)));
    }
    roll = InformerSet.single(client, controlPlaneNamespace, rollKind, rollName, rollHandler());
    controlPlaneObjects.add(roll);
    roll.synced().thenRun(this::requestReconcile);
    try {
      firstReconcile.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException("reading the member roll failed", e.getCause());
    }
  }

  /**
   * Tells {@code listener}, on informer threads, of each add, update and delete event of an object
   * in a member namespace, with its kind ({@code VirtualService}) and the event ({@code add},
   * {@code update}, {@code delete}). Call before {@link #start}.
   */
  public void countEvents(BiConsumer<String, String> listener) {
    feed.countEvents(listener);
  }

  /** The namespaces watched now: the configured members and the control plane's namespace. */
  public SortedSet<String> members() {
    return members;
  }

  public WatchScope scope() {
    return scope;
  }

  /** How many informers (each one list and one watch) are running. */
  public int informerCount() {
    int n = controlPlaneObjects.stream().mapToInt(s -> s.informers().size()).sum();
    InformerSet c = cluster;
    if (c != null) {
      n += c.informers().size();
    }
    return n + byNamespace.values().stream().mapToInt(s -> s.informers().size()).sum();
  }

  private static boolean controlPlaneOnly(Kind<?> kind) {
    return kind.group().endsWith("maistra.io");
  }

  private ResourceEventHandler<GenericKubernetesResource> rollHandler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(GenericKubernetesResource obj) {
        requestReconcile();
      }

      @Override
      public void onUpdate(GenericKubernetesResource oldObj, GenericKubernetesResource newObj) {
        requestReconcile();
      }

      @Override
      public void onDelete(GenericKubernetesResource obj, boolean deletedFinalStateUnknown) {
        requestReconcile();
      }
    };
  }

  private void requestReconcile() {
    if (!closed && roll.hasSynced()) {
      reconciler.execute(this::reconcile);
    }
  }

  /** Brings the watched namespaces in line with the roll in the informer's cache. */
  private void reconcile() {
    if (closed) {
      return;
    }
    try {
      GenericKubernetesResource current =
          roll.informers()
              .get(0)
              .informer()
              .getStore()
              .getByKey(controlPlaneNamespace + "/" + rollName);
      ParseResult rollResult = current == null ? null : feed.translate(rollKind, current);
      SortedSet<String> wanted = wanted(rollResult);
      SortedSet<String> before = members;
      Set<String> added = difference(wanted, before);
      Set<String> removed = difference(before, wanted);
      Set<String> admitting = new TreeSet<>(before);
      admitting.addAll(wanted);
      feed.admit(admitting);
      List<CompletableFuture<Void>> syncs = new ArrayList<>();
      if (scope == WatchScope.NAMESPACES) {
        for (String ns : added) {
          // Reused when a failed pass already started them.
          InformerSet set =
              byNamespace.computeIfAbsent(
                  ns, n -> InformerSet.namespace(client, n, memberKinds, feed));
          syncs.add(set.synced());
        }
      } else {
        syncs.add(cluster.synced());
      }
      awaitSync(syncs, added);
      replay(added);
      String rollKey = ObjectFeed.key(controlPlaneNamespace, rollKind.kindName(), rollName);
      if (rollResult == null) {
        store.remove(rollKey);
      } else {
        store.replace(rollKey, List.of(rollResult));
      }
      members = wanted;
      feed.admit(wanted);
      for (String ns : removed) {
        InformerSet set = byNamespace.remove(ns);
        if (set != null) {
          set.stop();
        }
        int drained = feed.drain(ns);
        log.info(
            "namespace {} left the member roll: stopped watching it, withdrew {} objects",
            ns,
            drained);
      }
      if (!added.isEmpty()) {
        log.info(
            "watching member namespaces {} ({})",
            added,
            scope == WatchScope.CLUSTER ? "cluster-wide informers" : "one informer per kind each");
      }
      firstReconcile.complete(null);
    } catch (RuntimeException e) {
      log.error(
          "applying the member roll {}/{} failed; retrying on its next change",
          controlPlaneNamespace,
          rollName,
          e);
    }
  }

  private SortedSet<String> wanted(ParseResult rollResult) {
    MemberRollSpec roll =
        rollResult == null || !rollResult.isAccepted()
            ? null
            : Kind.SERVICE_MESH_MEMBER_ROLL.cast(rollResult.config().spec());
    SortedSet<String> wanted = new TreeSet<>(watched.apply(roll));
    wanted.add(controlPlaneNamespace);
    return wanted;
  }

  private void awaitSync(List<CompletableFuture<Void>> syncs, Set<String> added) {
    try {
      CompletableFuture.allOf(syncs.toArray(CompletableFuture[]::new))
          .get(syncTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      List<String> late =
          added.stream()
              .filter(ns -> byNamespace.containsKey(ns) && !byNamespace.get(ns).hasSynced())
              .toList();
      log.warn(
          "namespaces {} not read within {}; serving them with what has arrived, the rest follows",
          late,
          syncTimeout);
    } catch (ExecutionException e) {
      log.warn("first read of new members failed: {}", e.getCause().toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Puts what the informers of the joining namespaces have listed into the store now: their
   * handlers are told asynchronously, possibly after the roll is committed, and with cluster-wide
   * informers the objects were listed (and dropped) before the namespace joined. Applying an object
   * twice changes nothing.
   */
  private void replay(Set<String> added) {
    if (added.isEmpty()) {
      return;
    }
    List<InformerSet> sets = new ArrayList<>();
    if (scope == WatchScope.CLUSTER) {
      sets.add(cluster);
    } else {
      added.stream().map(byNamespace::get).filter(Objects::nonNull).forEach(sets::add);
    }
    for (InformerSet set : sets) {
      for (InformerSet.Watched w : set.informers()) {
        for (GenericKubernetesResource obj : w.informer().getStore().list()) {
          if (added.contains(obj.getMetadata().getNamespace())) {
            feed.apply(w.kind(), obj);
          }
        }
      }
    }
  }

  private static Set<String> difference(Set<String> a, Set<String> b) {
    return a.stream().filter(x -> !b.contains(x)).collect(Collectors.toCollection(TreeSet::new));
  }

  /**
   * Asks the API server once which versions of each group it serves (one request, as discovery
   * needs no rights), so that a cluster with older Istio CRDs is read at a version it has.
   */
  private void discoverGroups(Duration timeout) throws TimeoutException, InterruptedException {
    CompletableFuture<APIGroupList> groups = CompletableFuture.supplyAsync(client::getApiGroups);
    try {
      APIGroupList list = groups.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (list != null && list.getGroups() != null) {
        for (APIGroup g : list.getGroups()) {
          discovered.put(g.getName(), g);
        }
      }
    } catch (ExecutionException e) {
      log.warn(
          "API discovery failed, reading each kind at its newest version: {}",
          e.getCause().getMessage());
    } catch (TimeoutException e) {
      groups.cancel(true);
      throw new TimeoutException(
          "the API server did not answer discovery within " + timeout.toSeconds() + "s");
    }
  }

  /**
   * The version {@code kind} is read at in this cluster, for writers that address the same objects
   * (the status of analysed objects); known once {@link #start} has asked the API server.
   */
  public String servedVersion(Kind<?> kind) {
    return version(kind);
  }

  /** The version of the kind's group the API server prefers among those the model accepts. */
  private String version(Kind<?> kind) {
    List<String> accepted = kind.versions();
    APIGroup group = discovered.get(kind.group());
    if (kind.group().isEmpty() || group == null || group.getVersions() == null) {
      return accepted.get(0);
    }
    Set<String> served =
        group.getVersions().stream()
            .map(GroupVersionForDiscovery::getVersion)
            .collect(Collectors.toSet());
    String preferred =
        group.getPreferredVersion() == null ? null : group.getPreferredVersion().getVersion();
    if (preferred != null && accepted.contains(preferred)) {
      return preferred;
    }
    return accepted.stream().filter(served::contains).findFirst().orElse(accepted.get(0));
  }

  @Override
  public void close() {
    closed = true;
    reconciler.shutdownNow();
    controlPlaneObjects.forEach(InformerSet::stop);
    InformerSet c = cluster;
    if (c != null) {
      c.stop();
    }
    byNamespace.values().forEach(InformerSet::stop);
    byNamespace.clear();
  }
}
