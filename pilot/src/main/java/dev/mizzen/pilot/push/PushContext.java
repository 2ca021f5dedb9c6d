package dev.mizzen.pilot.push;

import dev.mizzen.authz.Authorization;
import dev.mizzen.authz.AuthzInputs;
import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.ConfigError;
import dev.mizzen.ingest.model.DestinationRuleSpec;
import dev.mizzen.ingest.model.EndpointsSpec;
import dev.mizzen.ingest.model.Kind;
import dev.mizzen.ingest.model.PodSpec;
import dev.mizzen.ingest.model.ServiceSpec;
import dev.mizzen.ingest.model.ServiceSpec.ServicePort;
import dev.mizzen.ingest.model.VirtualServiceSpec;
import dev.mizzen.ingest.store.ConfigSnapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The indexes one push is computed from, built once per push from the member namespaces' config:
 * services with their endpoints, VirtualServices and DestinationRules by host. Immutable; every
 * generator of the push reads the same one.
 */
public final class PushContext {

  private static final Comparator<Config<?>> PRECEDENCE =
      Comparator.comparing((Config<?> c) -> c.meta().creationTimestamp())
          .thenComparing(Config::namespace)
          .thenComparing(Config::name);

  private final long number;
  private final String version;
  private final MeshSettings mesh;
  private final ConfigSnapshot config;
  private final SortedMap<String, MeshService> services;
  private final Map<String, List<Config<VirtualServiceSpec>>> virtualServices;
  private final Map<String, List<Config<DestinationRuleSpec>>> destinationRules;
  private final List<ConfigError> warnings;
  private final Authorization authz;

  private PushContext(
      long number,
      String version,
      MeshSettings mesh,
      ConfigSnapshot config,
      SortedMap<String, MeshService> services,
      Map<String, List<Config<VirtualServiceSpec>>> virtualServices,
      Map<String, List<Config<DestinationRuleSpec>>> destinationRules,
      List<ConfigError> warnings,
      Authorization authz) {
    this.number = number;
    this.version = version;
    this.mesh = mesh;
    this.config = config;
    this.services = services;
    this.virtualServices = virtualServices;
    this.destinationRules = destinationRules;
    this.warnings = List.copyOf(warnings);
    this.authz = authz;
  }

  /**
   * @param number the push's sequence number
   * @param at when the push started, for the version string
   * @param config the member namespaces' config only
   */
  public static PushContext build(long number, Instant at, ConfigSnapshot config, MeshSettings mesh) {
    SortedMap<String, MeshService> services = new TreeMap<>();
    for (Config<ServiceSpec> s : config.list(Kind.SERVICE)) {
      String host = mesh.hostname(s.namespace(), s.name());
      services.put(host, new MeshService(host, s.namespace(), s.name(), s.spec(), endpoints(config, s)));
    }
    Map<String, List<Config<VirtualServiceSpec>>> vsByHost = new HashMap<>();
    for (Config<VirtualServiceSpec> vs : config.list(Kind.VIRTUAL_SERVICE)) {
      if (!vs.spec().gateways().isEmpty() && !vs.spec().gateways().contains("mesh")) {
        continue;
      }
      for (String host : vs.spec().hosts()) {
        vsByHost.computeIfAbsent(mesh.resolve(host, vs.namespace()), h -> new ArrayList<>()).add(vs);
      }
    }
    vsByHost.values().forEach(l -> l.sort(PRECEDENCE));
    Map<String, List<Config<DestinationRuleSpec>>> drByHost = new HashMap<>();
    for (Config<DestinationRuleSpec> dr : config.list(Kind.DESTINATION_RULE)) {
      drByHost.computeIfAbsent(mesh.resolve(dr.spec().host(), dr.namespace()), h -> new ArrayList<>()).add(dr);
    }
    drByHost.values().forEach(l -> l.sort(PRECEDENCE));
    PushContext push =
        new PushContext(
            number,
            at.toString() + "/" + number,
            mesh,
            config,
            services,
            vsByHost,
            drByHost,
            List.of(),
            Authorization.build(authzInputs(config, mesh, services.keySet())));
    List<ConfigError> found = new ArrayList<>(new ConfigChecker(push).check());
    found.addAll(push.authz.warnings());
    return push.withWarnings(found);
  }

  private PushContext withWarnings(List<ConfigError> found) {
    return new PushContext(
        number, version, mesh, config, services, virtualServices, destinationRules, found, authz);
  }

  private static AuthzInputs authzInputs(ConfigSnapshot config, MeshSettings mesh, java.util.Set<String> hosts) {
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

  private static Map<Integer, List<Endpoint>> endpoints(ConfigSnapshot config, Config<ServiceSpec> s) {
    Optional<Config<EndpointsSpec>> eps = config.get(Kind.ENDPOINTS, s.namespace(), s.name());
    Map<Integer, List<Endpoint>> byPort = new LinkedHashMap<>();
    if (eps.isEmpty()) {
      return byPort;
    }
    for (ServicePort sp : s.spec().ports()) {
      List<Endpoint> list = new ArrayList<>();
      for (EndpointsSpec.Subset subset : eps.get().spec().subsets()) {
        Optional<EndpointsSpec.Port> port = matchPort(sp, subset.ports());
        if (port.isEmpty()) {
          continue;
        }
        for (EndpointsSpec.Address a : subset.addresses()) {
          Map<String, String> labels = Map.of();
          if (!a.podName().isEmpty()) {
            Optional<Config<PodSpec>> pod = config.get(Kind.POD, s.namespace(), a.podName());
            if (pod.isPresent()) {
              labels = pod.get().meta().labels();
            }
          }
          list.add(new Endpoint(a.ip(), port.get().port(), labels, a.podName()));
        }
      }
      byPort.put(sp.port(), List.copyOf(list));
    }
    return byPort;
  }

  /** Kubernetes pairs a Service port with an Endpoints port by name (or the single unnamed one). */
  private static Optional<EndpointsSpec.Port> matchPort(ServicePort sp, List<EndpointsSpec.Port> ports) {
    for (EndpointsSpec.Port p : ports) {
      if (p.name().equals(sp.name())) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
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

  public Optional<MeshService> service(String hostname) {
    return Optional.ofNullable(services.get(hostname));
  }

  /** Problems with served config that did not stop it from being served. */
  public List<ConfigError> warnings() {
    return warnings;
  }

  /** Authorization and authentication policies, and what they become per workload. */
  public Authorization authz() {
    return authz;
  }

  /** The VirtualService that routes {@code host} for proxies in {@code viewer}, if any. */
  public Optional<Config<VirtualServiceSpec>> virtualService(String host, String viewer) {
    return virtualServices(host, viewer).stream().findFirst();
  }

  List<Config<VirtualServiceSpec>> virtualServices(String host, String viewer) {
    return virtualServices.getOrDefault(host, List.of()).stream()
        .filter(vs -> ExportTo.visible(vs.spec().exportTo(), vs.namespace(), viewer))
        .toList();
  }

  Collection<List<Config<VirtualServiceSpec>>> virtualServicesByHost() {
    return virtualServices.values();
  }

  Map<String, List<Config<VirtualServiceSpec>>> virtualServiceIndex() {
    return virtualServices;
  }

  /**
   * The DestinationRule for {@code host} as a proxy in {@code viewer} sees it: one in the proxy's
   * own namespace first, then one in the service's namespace, then one in the root namespace, as
   * Istio chooses.
   */
  public Optional<Config<DestinationRuleSpec>> destinationRule(String host, String viewer) {
    List<Config<DestinationRuleSpec>> all = destinationRules.getOrDefault(host, List.of());
    if (all.isEmpty()) {
      return Optional.empty();
    }
    String serviceNamespace = service(host).map(MeshService::namespace).orElse("");
    for (String ns : List.of(viewer, serviceNamespace, mesh.rootNamespace())) {
      for (Config<DestinationRuleSpec> dr : all) {
        if (dr.namespace().equals(ns) && ExportTo.visible(dr.spec().exportTo(), dr.namespace(), viewer)) {
          return Optional.of(dr);
        }
      }
    }
    return all.stream()
        .filter(dr -> ExportTo.visible(dr.spec().exportTo(), dr.namespace(), viewer))
        .findFirst();
  }
}
