package dev.mizzen.pilot.control;

import dev.mizzen.ingest.model.Kind;
import dev.mizzen.ingest.model.ObjectRef;
import dev.mizzen.ingest.model.SecretRef;
import dev.mizzen.ingest.store.ConfigChange;
import dev.mizzen.pilot.cache.TypeUrls;
import dev.mizzen.pilot.generate.GroupKey;
import dev.mizzen.pilot.proxy.Proxy;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What a change can affect, as istiod's generators decide which pushes concern them: the xDS types
 * to regenerate, and which proxy groups. An AuthorizationPolicy changes listeners only, and only of
 * its namespace's proxies (all, when in the root namespace); Endpoints and Pods change clusters and
 * endpoints, never listeners or routes; a Gateway changes routers only; a Sidecar its namespace's
 * sidecars. A VirtualService changes listeners and routes, and clusters and endpoints only where
 * the destinations its routes name change (an unknown host gets an empty cluster): {@code
 * destinationsMayChange} asks for that check. What changes a proxy's shape (the services it serves,
 * the labels selectors name) moves it to another group, which is built whole. Secrets are
 * regenerated with the listeners and clusters that name them (see {@link PushPipeline}), and alone
 * when a Secret changes.
 *
 * @param types the types to regenerate
 * @param groups the groups to regenerate them for
 * @param destinationsMayChange whether clusters and endpoints are to be regenerated too for groups
 *     whose routes now name other destinations than before
 * @param endpointsOnly whether the change can have changed nothing but services' endpoints
 *     (Endpoints, EndpointSlices, Pods): then only the services whose endpoints now differ need
 *     their clusters and load assignments regenerated, as istiod's incremental EDS push does
 */
record PushScope(
    Set<String> types,
    Predicate<GroupKey> groups,
    boolean destinationsMayChange,
    boolean endpointsOnly) {
  PushScope(Set<String> types, Predicate<GroupKey> groups, boolean destinationsMayChange) {
    this(types, groups, destinationsMayChange, false);
  }

  /** The kinds that make endpoints (a Pod's labels and account are its endpoints'). */
  static final Set<Kind<?>> ENDPOINT_KINDS = Set.of(Kind.ENDPOINTS, Kind.ENDPOINT_SLICE, Kind.POD);

  /** The kinds that make endpoints and nothing else: not Pods, whose labels also shape proxies. */
  static final Set<Kind<?>> ADDRESS_KINDS = Set.of(Kind.ENDPOINTS, Kind.ENDPOINT_SLICE);

  /** Whether {@code change} names objects, all of them of {@code kinds}. */
  static boolean only(ConfigChange change, Set<Kind<?>> kinds) {
    return !change.objects().isEmpty()
        && change.objects().stream().allMatch(r -> kinds.contains(r.kind()));
  }

  /** The types config decides; secrets follow the listeners and clusters that name them. */
  private static final Set<String> ALL =
      Set.of(TypeUrls.CLUSTER, TypeUrls.ENDPOINT, TypeUrls.LISTENER, TypeUrls.ROUTE);

  private static final Set<String> CLUSTERS = Set.of(TypeUrls.CLUSTER, TypeUrls.ENDPOINT);
  private static final Set<String> LISTENERS = Set.of(TypeUrls.LISTENER);
  private static final Set<String> SECRETS = Set.of(TypeUrls.SECRET);

  /** A push of everything to everyone: the first, and one nobody knows the cause of. */
  static final PushScope FULL = new PushScope(ALL, k -> true, false);

  /** What the kinds affect, for every proxy; namespace-scoped kinds are narrowed below. */
  private static final Map<Kind<?>, Set<String>> TYPES =
      Map.ofEntries(
          Map.entry(Kind.ENDPOINTS, CLUSTERS),
          Map.entry(Kind.ENDPOINT_SLICE, CLUSTERS),
          Map.entry(Kind.VIRTUAL_SERVICE, Set.of(TypeUrls.LISTENER, TypeUrls.ROUTE)),
          // Pod labels pick subsets and decide mutual TLS; they are no part of routes or listeners.
          Map.entry(Kind.POD, CLUSTERS),
          Map.entry(Kind.AUTHORIZATION_POLICY, LISTENERS),
          Map.entry(Kind.REQUEST_AUTHENTICATION, LISTENERS),
          Map.entry(Kind.SERVICE_MESH_RBAC_CONFIG, LISTENERS),
          // Peer authentication decides inbound TLS (listeners) and outbound mutual TLS (clusters).
          Map.entry(
              Kind.PEER_AUTHENTICATION,
              Set.of(TypeUrls.LISTENER, TypeUrls.CLUSTER, TypeUrls.ENDPOINT)),
          Map.entry(
              Kind.SERVICE_MESH_POLICY,
              Set.of(TypeUrls.LISTENER, TypeUrls.CLUSTER, TypeUrls.ENDPOINT)));

  /**
   * Kinds whose objects outside the root namespace concern only proxies of their namespace. Not
   * PeerAuthentication: it also decides how every other proxy calls the namespace's workloads.
   */
  private static final Set<Kind<?>> NAMESPACED =
      Set.of(Kind.AUTHORIZATION_POLICY, Kind.REQUEST_AUTHENTICATION, Kind.SIDECAR);

  /**
   * What a change to config and to Secrets can affect: a Secret changes secrets only, and only of
   * the groups of its namespace that are served Secrets.
   */
  static PushScope of(ConfigChange change, Set<SecretRef> secrets, String rootNamespace) {
    if (secrets.isEmpty()) {
      return of(change, rootNamespace);
    }
    Set<String> namespaces = new HashSet<>();
    secrets.forEach(r -> namespaces.add(r.namespace()));
    PushScope ofSecrets =
        new PushScope(SECRETS, k -> k.secrets() && namespaces.contains(k.namespace()), false);
    if (change.isEmpty()) {
      return ofSecrets;
    }
    PushScope ofConfig = of(change, rootNamespace);
    Set<String> types = new HashSet<>(ofConfig.types);
    types.addAll(SECRETS);
    return new PushScope(
        Set.copyOf(types), ofConfig.groups.or(ofSecrets.groups), ofConfig.destinationsMayChange);
  }

  static PushScope of(ConfigChange change, String rootNamespace) {
    if (change.objects().isEmpty()) {
      return change.refusalsChanged() ? new PushScope(Set.of(), k -> false, false) : FULL;
    }
    Set<String> types = new HashSet<>();
    Predicate<GroupKey> groups = k -> false;
    boolean destinations = false;
    boolean endpointsOnly = true;
    for (ObjectRef ref : change.objects()) {
      Kind<?> kind = ref.kind();
      endpointsOnly &= ENDPOINT_KINDS.contains(kind);
      destinations |= kind == Kind.VIRTUAL_SERVICE;
      Set<String> affected =
          kind == Kind.GATEWAY || kind == Kind.SIDECAR ? ALL : TYPES.getOrDefault(kind, ALL);
      types.addAll(affected);
      Predicate<GroupKey> which = k -> true;
      if (kind == Kind.GATEWAY) {
        which = k -> k.type() == Proxy.Type.ROUTER;
      } else if (NAMESPACED.contains(kind) && !ref.namespace().equals(rootNamespace)) {
        String ns = ref.namespace();
        which =
            kind == Kind.SIDECAR
                ? k -> k.namespace().equals(ns) && k.type() == Proxy.Type.SIDECAR
                : k -> k.namespace().equals(ns);
      }
      groups = groups.or(which);
    }
    return new PushScope(Set.copyOf(types), groups, destinations, endpointsOnly);
  }
}
