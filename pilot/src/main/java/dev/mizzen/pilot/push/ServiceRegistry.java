package dev.mizzen.pilot.push;

import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.ConfigError;
import dev.mizzen.ingest.model.EndpointSliceSpec;
import dev.mizzen.ingest.model.EndpointsSpec;
import dev.mizzen.ingest.model.Kind;
import dev.mizzen.ingest.model.ObjectRef;
import dev.mizzen.ingest.model.PodSpec;
import dev.mizzen.ingest.model.ServiceEntrySpec;
import dev.mizzen.ingest.model.ServiceSpec;
import dev.mizzen.ingest.model.ServiceSpec.ServicePort;
import dev.mizzen.ingest.store.ConfigSnapshot;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The services of the mesh, as Istio's registries find them: every Kubernetes Service with the
 * ready addresses of its EndpointSlices (or of its Endpoints, where it has no slice), and every
 * host of every ServiceEntry. A host defined twice is served once (a Kubernetes Service before a
 * ServiceEntry, an older ServiceEntry before a newer one), with a warning on the one left out.
 */
final class ServiceRegistry {
  /** Istio's annotation giving a Service's exportTo. */
  static final String EXPORT_TO = "networking.istio.io/exportTo";

  private ServiceRegistry() {}

  static SortedMap<String, MeshService> build(
      ConfigSnapshot config, MeshSettings mesh, List<ConfigError> warnings) {
    SortedMap<String, MeshService> services = new TreeMap<>();
    Map<ObjectRef, List<Config<EndpointSliceSpec>>> slices = slicesByService(config);
    for (Config<ServiceSpec> s : config.list(Kind.SERVICE)) {
      String host = mesh.hostname(s.namespace(), s.name());
      ServiceSpec spec = s.spec();
      String exportTo = s.meta().annotations().getOrDefault(EXPORT_TO, "");
      services.put(
          host,
          new MeshService(
              host,
              s.namespace(),
              s.name(),
              s.ref(),
              spec.ports(),
              spec.hasClusterIp() ? List.of(spec.clusterIp()) : List.of(),
              spec.selector(),
              MeshService.Discovery.EDS,
              false,
              exportTo.isBlank()
                  ? List.of()
                  : Arrays.stream(exportTo.split(",")).map(String::trim).toList(),
              List.of(),
              kubernetesEndpoints(config, s, slices.get(s.ref()))));
    }
    List<Config<ServiceEntrySpec>> entries = new ArrayList<>(config.list(Kind.SERVICE_ENTRY));
    entries.sort(
        Comparator.comparing((Config<ServiceEntrySpec> c) -> c.meta().creationTimestamp())
            .thenComparing(Config::ref));
    for (Config<ServiceEntrySpec> se : entries) {
      List<String> hosts = se.spec().hosts();
      for (int i = 0; i < hosts.size(); i++) {
        String host = hosts.get(i);
        MeshService existing = services.get(host);
        if (existing != null) {
          warnings.add(
              new ConfigError(
                  se.origin(),
                  se.kind().name(),
                  se.namespace(),
                  se.name(),
                  "spec.hosts[" + i + "]",
                  "host "
                      + host
                      + " is already defined by "
                      + existing.source()
                      + "; this entry is left out for it"));
          continue;
        }
        services.put(host, fromEntry(se, host));
      }
    }
    return services;
  }

  private static MeshService fromEntry(Config<ServiceEntrySpec> se, String host) {
    ServiceEntrySpec spec = se.spec();
    List<ServicePort> ports = new ArrayList<>();
    Map<Integer, List<Endpoint>> endpoints = new LinkedHashMap<>();
    for (ServiceEntrySpec.Port p : spec.ports()) {
      int target = p.targetPort() > 0 ? p.targetPort() : p.number();
      ports.add(new ServicePort(p.name(), p.number(), target, "", p.protocol()));
      List<Endpoint> list = new ArrayList<>();
      for (ServiceEntrySpec.WorkloadEndpoint e : spec.endpoints()) {
        int port = e.ports().getOrDefault(p.name(), target);
        list.add(
            new Endpoint(
                e.address(), port, e.labels(), "", e.serviceAccount(), e.locality(), e.weight()));
      }
      if (list.isEmpty()
          && spec.resolution() != ServiceEntrySpec.Resolution.NONE
          && !host.startsWith("*")) {
        // DNS without endpoints: the proxy resolves the host itself.
        list.add(new Endpoint(host, target, Map.of(), ""));
      }
      endpoints.put(p.number(), List.copyOf(list));
    }
    MeshService.Discovery discovery =
        switch (spec.resolution()) {
          case NONE -> MeshService.Discovery.PASSTHROUGH;
          case STATIC -> MeshService.Discovery.EDS;
          case DNS -> MeshService.Discovery.DNS;
          case DNS_ROUND_ROBIN -> MeshService.Discovery.DNS_ROUND_ROBIN;
        };
    return new MeshService(
        host,
        se.namespace(),
        se.name(),
        se.ref(),
        ports,
        spec.addresses(),
        Map.of(),
        discovery,
        spec.external(),
        spec.exportTo(),
        spec.subjectAltNames(),
        endpoints);
  }

  /** Each Service's EndpointSlices (by the Service's ref), in a stable order. */
  private static Map<ObjectRef, List<Config<EndpointSliceSpec>>> slicesByService(
      ConfigSnapshot config) {
    Map<ObjectRef, List<Config<EndpointSliceSpec>>> byService = new HashMap<>();
    for (Config<EndpointSliceSpec> slice : config.list(Kind.ENDPOINT_SLICE)) {
      if (slice.spec().serviceName().isEmpty()
          || slice.spec().addressType() == EndpointSliceSpec.AddressType.FQDN) {
        continue; // belongs to no Service, or names hosts a proxy cannot send to as endpoints
      }
      byService
          .computeIfAbsent(
              new ObjectRef(Kind.SERVICE, slice.namespace(), slice.spec().serviceName()),
              k -> new ArrayList<>())
          .add(slice);
    }
    byService.values().forEach(l -> l.sort(Comparator.comparing(Config::name)));
    return byService;
  }

  /**
   * A Service's endpoints by port: from its EndpointSlices when it has any (in a cluster, always),
   * else from its Endpoints object (a directory may hold either). Of a slice, the endpoints that
   * are ready, as Istio sends them: one that is not ready or is terminating takes no traffic, and
   * each address of an endpoint (a dual-stack pod has one per family, in a slice per family) is an
   * endpoint of its own.
   */
  private static Map<Integer, List<Endpoint>> kubernetesEndpoints(
      ConfigSnapshot config, Config<ServiceSpec> s, List<Config<EndpointSliceSpec>> slices) {
    if (slices != null) {
      return sliceEndpoints(config, s, slices);
    }
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
          list.add(podEndpoint(config, s.namespace(), a.ip(), port.get().port(), a.podName()));
        }
      }
      byPort.put(sp.port(), List.copyOf(list));
    }
    return byPort;
  }

  private static Map<Integer, List<Endpoint>> sliceEndpoints(
      ConfigSnapshot config, Config<ServiceSpec> s, List<Config<EndpointSliceSpec>> slices) {
    Map<Integer, List<Endpoint>> byPort = new LinkedHashMap<>();
    for (ServicePort sp : s.spec().ports()) {
      List<Endpoint> list = new ArrayList<>();
      for (Config<EndpointSliceSpec> slice : slices) {
        Optional<EndpointSliceSpec.Port> port =
            slice.spec().ports().stream().filter(p -> p.name().equals(sp.name())).findFirst();
        if (port.isEmpty()) {
          continue;
        }
        for (EndpointSliceSpec.Endpoint e : slice.spec().endpoints()) {
          if (!e.ready() || e.terminating()) {
            continue;
          }
          for (String address : e.addresses()) {
            list.add(podEndpoint(config, s.namespace(), address, port.get().port(), e.podName()));
          }
        }
      }
      byPort.put(sp.port(), List.copyOf(list));
    }
    return byPort;
  }

  /**
   * The endpoint at {@code ip:port}, with the labels (for subsets) and the service account of the
   * pod it points to, when it names one that exists.
   */
  private static Endpoint podEndpoint(
      ConfigSnapshot config, String namespace, String ip, int port, String podName) {
    Optional<Config<PodSpec>> pod =
        podName.isEmpty() ? Optional.empty() : config.get(Kind.POD, namespace, podName);
    return new Endpoint(
        ip,
        port,
        pod.map(p -> p.meta().labels()).orElse(Map.of()),
        podName,
        pod.map(p -> p.spec().serviceAccount()).orElse(""),
        "",
        0);
  }

  /** Kubernetes pairs a Service port with an Endpoints port by name (or the single unnamed one). */
  private static Optional<EndpointsSpec.Port> matchPort(
      ServicePort sp, List<EndpointsSpec.Port> ports) {
    for (EndpointsSpec.Port p : ports) {
      if (p.name().equals(sp.name())) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }
}
