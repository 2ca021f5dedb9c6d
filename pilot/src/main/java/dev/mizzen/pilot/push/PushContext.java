package dev.mizzen.pilot.push;

import dev.mizzen.authz.Authorization;
import dev.mizzen.authz.AuthzInputs;
import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.ConfigError;
import dev.mizzen.ingest.model.DestinationRuleSpec;
import dev.mizzen.ingest.model.GatewaySpec;
import dev.mizzen.ingest.model.Kind;
import dev.mizzen.ingest.model.ServiceSpec.ServicePort;
import dev.mizzen.ingest.model.SidecarSpec;
import dev.mizzen.ingest.model.Spec;
import dev.mizzen.ingest.model.VirtualServiceSpec;
import dev.mizzen.ingest.store.ConfigSnapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;

/**
 * The indexes one push is computed from, built once per push from the member namespaces' config:
 * services (Kubernetes and ServiceEntry) with their endpoints, VirtualServices by host and by
 * gateway, DestinationRules by host, Gateways, Sidecars, and the authorization of workloads.
 * Immutable; every generator of the push reads the same one.
 */
public final class PushContext {
  private final long number;
  private final String version;
  private final MeshSettings mesh;
  private final ConfigSnapshot config;
  private final SortedMap<String, MeshService> services;
  private final VirtualServices virtualServices;
  private final DestinationRules destinationRules;
  private final List<Config<GatewaySpec>> gateways;
  private final List<Config<SidecarSpec>> sidecars;
  private final Set<String> sourceLabelKeys;
  private final Optional<TracingCollector> tracing;
  private final Authorization authz;
  private final List<ConfigError> warnings;

  private PushContext(Builder b, List<ConfigError> warnings) {
    this.number = b.number;
    this.version = b.version;
    this.mesh = b.mesh;
    this.config = b.config;
    this.services = b.services;
    this.virtualServices = b.virtualServices;
    this.destinationRules = b.destinationRules;
    this.gateways = b.gateways;
    this.sidecars = b.sidecars;
    this.sourceLabelKeys = b.sourceLabelKeys;
    this.tracing = b.tracing;
    this.authz = b.authz;
    this.warnings = List.copyOf(warnings);
  }

  /** What a push context is made of, before its config is checked. */
  private static final class Builder {
    long number;
    String version;
    MeshSettings mesh;
    ConfigSnapshot config;
    SortedMap<String, MeshService> services;
    VirtualServices virtualServices;
    DestinationRules destinationRules;
    List<Config<GatewaySpec>> gateways;
    List<Config<SidecarSpec>> sidecars;
    Set<String> sourceLabelKeys;
    Optional<TracingCollector> tracing;
    Authorization authz;
  }

  /**
   * @param number the push's sequence number
   * @param at when the push started, for the version string
   * @param config the member namespaces' config only
   */
  public static PushContext build(
      long number, Instant at, ConfigSnapshot config, MeshSettings mesh) {
    List<ConfigError> found = new ArrayList<>();
    Builder b = new Builder();
    b.number = number;
    b.version = at.toString() + "/" + number;
    b.mesh = mesh;
    b.config = config;
    b.services = ServiceRegistry.build(config, mesh, found);
    b.virtualServices =
        VirtualServices.build(List.copyOf(config.list(Kind.VIRTUAL_SERVICE)), mesh, found);
    b.destinationRules = DestinationRules.build(config.list(Kind.DESTINATION_RULE), mesh);
    b.gateways = sorted(config.list(Kind.GATEWAY));
    b.sidecars = sorted(config.list(Kind.SIDECAR));
    b.sourceLabelKeys = SourceLabels.keys(b.virtualServices.all());
    b.tracing = collector(b.services, mesh);
    b.authz = Authorization.build(authzInputs(config, mesh, b.services.keySet()));
    PushContext unchecked = new PushContext(b, List.of());
    for (Config<VirtualServiceSpec> vs : b.virtualServices.all()) {
      EnvoyRegexLimit.check(vs, found);
    }
    new GrpcLimits(unchecked).check(found);
    found.addAll(b.destinationRules.warnings());
    found.sort(Warnings.ORDER);
    found.addAll(b.authz.warnings());
    return new PushContext(b, found);
  }

  /**
   * The push after {@code before} when the config changed in endpoints alone (Endpoints and
   * EndpointSlices of the same members): the services are read again from {@code config} and
   * everything else is {@code before}'s, since nothing else is made from endpoints. Empty when the
   * services differ in more than their endpoints; a whole build is then due.
   */
  public static Optional<PushContext> afterEndpoints(
      long number, Instant at, ConfigSnapshot config, PushContext before) {
    List<ConfigError> found = new ArrayList<>();
    SortedMap<String, MeshService> services = ServiceRegistry.build(config, before.mesh, found);
    if (endpointsChanged(before.services, services).isEmpty()) {
      return Optional.empty();
    }
    Builder b = new Builder();
    b.number = number;
    b.version = at.toString() + "/" + number;
    b.mesh = before.mesh;
    b.config = config;
    b.services = services;
    b.virtualServices = before.virtualServices;
    b.destinationRules = before.destinationRules;
    b.gateways = before.gateways;
    b.sidecars = before.sidecars;
    b.sourceLabelKeys = before.sourceLabelKeys;
    b.tracing = collector(services, before.mesh);
    b.authz = before.authz;
    return Optional.of(new PushContext(b, before.warnings));
  }

  private static <S extends Spec> List<Config<S>> sorted(Collection<Config<S>> configs) {
    List<Config<S>> list = new ArrayList<>(configs);
    list.sort(VirtualServices.PRECEDENCE);
    return List.copyOf(list);
  }

  private static Optional<TracingCollector> collector(
      SortedMap<String, MeshService> services, MeshSettings mesh) {
    MeshSettings.Tracing t = mesh.tracing();
    if (t.collectorService().isEmpty()) {
      return Optional.empty();
    }
    MeshService s = services.get(mesh.hostname(mesh.controlPlaneNamespace(), t.collectorService()));
    if (s == null) {
      return Optional.empty();
    }
    for (ServicePort p : s.ports()) {
      if (p.name().equals(t.portName())) {
        return Optional.of(new TracingCollector(s, p.port(), t.samplingPercent()));
      }
    }
    return Optional.empty();
  }

  private static AuthzInputs authzInputs(
      ConfigSnapshot config, MeshSettings mesh, Set<String> hosts) {
    return new AuthzInputs(
        mesh.rootNamespace(),
        mesh.controlPlaneNamespace(),
        List.copyOf(config.list(Kind.AUTHORIZATION_POLICY)),
        List.copyOf(config.list(Kind.PEER_AUTHENTICATION)),
        List.copyOf(config.list(Kind.REQUEST_AUTHENTICATION)),
        List.copyOf(config.list(Kind.SERVICE_MESH_POLICY)),
        List.copyOf(config.list(Kind.SERVICE_MESH_RBAC_CONFIG)),
        hosts);
  }

  public long number() {
    return number;
  }

  /** Istio-style push version: start time and sequence number. */
  public String version() {
    return version;
  }

  public MeshSettings mesh() {
    return mesh;
  }

  /** The member namespaces' config this push was computed from. */
  public ConfigSnapshot config() {
    return config;
  }

  public Collection<MeshService> services() {
    return services.values();
  }

  /**
   * The hosts whose endpoints are not those of {@code before}, when that is all that differs
   * between the two pushes' services (the same hosts, each the same but for its endpoints); empty
   * when more differs.
   */
  public Optional<Set<String>> endpointsChangedSince(PushContext before) {
    return endpointsChanged(before.services, services);
  }

  private static Optional<Set<String>> endpointsChanged(
      SortedMap<String, MeshService> before, SortedMap<String, MeshService> after) {
    if (!after.keySet().equals(before.keySet())) {
      return Optional.empty();
    }
    Set<String> changed = new TreeSet<>();
    for (MeshService now : after.values()) {
      MeshService was = before.get(now.hostname());
      if (!now.sameButEndpoints(was)) {
        return Optional.empty();
      }
      if (!now.endpoints().equals(was.endpoints())) {
        changed.add(now.hostname());
      }
    }
    return Optional.of(changed);
  }

  public Optional<MeshService> service(String hostname) {
    return Optional.ofNullable(services.get(hostname));
  }

  /**
   * Config served, but not as written to every proxy: regular expressions too large for Envoy, what
   * proxyless gRPC clients cannot do, DestinationRules merged or hidden, policies' lints. What is
   * wrong across objects is the analysis' ({@code control/Verdict}).
   */
  public List<ConfigError> warnings() {
    return warnings;
  }

  /** Authorization and authentication policies, and what they become per workload. */
  public Authorization authz() {
    return authz;
  }

  public VirtualServices virtualServices() {
    return virtualServices;
  }

  /** Every Gateway of the members, oldest first. */
  public List<Config<GatewaySpec>> gateways() {
    return gateways;
  }

  /** The Gateways whose selector picks a router proxy with {@code labels}, oldest first. */
  public List<Config<GatewaySpec>> gatewaysFor(Map<String, String> labels) {
    return gateways.stream()
        .filter(g -> labels.entrySet().containsAll(g.spec().selector().entrySet()))
        .toList();
  }

  /** The Sidecar resource in force for a proxy of {@code namespace} with {@code labels}. */
  public SidecarScope sidecarScope(String namespace, Map<String, String> labels) {
    return SidecarScope.select(sidecars, namespace, labels, mesh.rootNamespace());
  }

  /** Where proxies send spans, if tracing is configured and its collector exists. */
  public Optional<TracingCollector> tracing() {
    return tracing;
  }

  /** The label keys VirtualServices' {@code sourceLabels} name, which every group key includes. */
  public Set<String> sourceLabelKeys() {
    return sourceLabelKeys;
  }

  /**
   * The label keys a proxy's config depends on: those policy selectors and Sidecar selectors in its
   * namespace (or the root namespace) name, those VirtualServices' sourceLabels name, and for
   * routers those Gateway selectors name. Proxies agreeing on them are served alike.
   */
  public Set<String> labelKeys(String namespace, boolean router) {
    Set<String> keys = new TreeSet<>(authz.selectorKeys(namespace));
    for (Config<SidecarSpec> sc : sidecars) {
      if (sc.namespace().equals(namespace)) {
        keys.addAll(sc.spec().workloadSelector().keySet());
      }
    }
    keys.addAll(sourceLabelKeys);
    if (router) {
      gateways.forEach(g -> keys.addAll(g.spec().selector().keySet()));
    }
    return keys;
  }

  /**
   * The DestinationRule a proxy in {@code viewer} applies to {@code host}: the rules of one
   * namespace for that host merged as Istio merges them, chosen as Istio chooses (see {@link
   * DestinationRules}). Built once per push: the same rule is the same object all push long.
   */
  public Optional<Config<DestinationRuleSpec>> destinationRule(String host, String viewer) {
    return mergedDestinationRule(host, viewer).map(DestinationRules.Merged::rule);
  }

  /** As {@link #destinationRule}, with every rule merged into it. */
  public Optional<DestinationRules.Merged> mergedDestinationRule(String host, String viewer) {
    String serviceNamespace = service(host).map(MeshService::namespace).orElse("");
    return destinationRules.lookup(host, serviceNamespace, viewer);
  }

  /** The DestinationRules of this push, merged and indexed. */
  public DestinationRules destinationRules() {
    return destinationRules;
  }

  /**
   * Istio's exportTo: whether config of {@code owner} with this exportTo is seen from {@code
   * viewer}.
   */
  public static boolean exported(List<String> exportTo, String owner, String viewer) {
    return ExportTo.visible(exportTo, owner, viewer);
  }

  /** Istio's host matching: "*" matches all, "*.suffix" a wildcard, else the exact name. */
  public static boolean hostMatches(String pattern, String host) {
    return SidecarScope.hostMatches(pattern, host);
  }

  /** Whether {@code service} may be seen from {@code viewer} (its exportTo). */
  public static boolean visible(MeshService service, String viewer) {
    return ExportTo.visible(service.exportTo(), service.namespace(), viewer);
  }
}
