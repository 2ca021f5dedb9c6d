package dev.mizzen.pilot.control;

import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.Kind;
import dev.mizzen.ingest.model.ObjectRef;
import dev.mizzen.ingest.model.ServiceSpec.ServicePort;
import dev.mizzen.pilot.cache.TypeUrls;
import dev.mizzen.pilot.push.MeshService;
import dev.mizzen.pilot.push.PushContext;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Which config objects produced a generated resource, read back from the resource's name the way
 * Istio names resources ({@code outbound|PORT|SUBSET|HOST}, {@code 0.0.0.0_PORT}, route
 * configuration {@code PORT}, {@code HOST:PORT}), as a proxy in {@code viewer} sees the push.
 */
final class Provenance {
  private final PushContext push;
  private final String viewer;

  Provenance(PushContext push, String viewer) {
    this.push = push;
    this.viewer = viewer;
  }

  /**
   * @param detail the proxy's complaint: where it names a virtual host or host, the route
   *     configuration's sources narrow to that host's
   */
  Set<ObjectRef> of(String typeUrl, String name, String detail) {
    Set<ObjectRef> refs = new LinkedHashSet<>();
    if (name.startsWith("outbound|")) {
      String[] parts = name.split("\\|", -1);
      if (parts.length == 4) {
        host(parts[3], refs, TypeUrls.ENDPOINT.equals(typeUrl));
        if (TypeUrls.ROUTE.equals(typeUrl)) {
          push.virtualServices().forMeshHost(parts[3], viewer).forEach(vs -> refs.add(vs.ref()));
        }
      }
      return refs;
    }
    if (name.startsWith("inbound|")
        || name.equals("virtualInbound")
        || name.startsWith("xds.istio.io/grpc/lds/inbound/")) {
      for (String ns : Set.of(viewer, push.mesh().rootNamespace())) {
        for (Kind<?> kind :
            Set.of(
                Kind.AUTHORIZATION_POLICY, Kind.PEER_AUTHENTICATION, Kind.REQUEST_AUTHENTICATION)) {
          for (Config<?> c : push.config().list(kind, ns)) {
            refs.add(c.ref());
          }
        }
      }
      return refs;
    }
    int port = portOf(name);
    if (port > 0) {
      // "0.0.0.0_8080", "10.96.0.1_5432", route configuration "8080", gRPC's "host:port".
      boolean routes = TypeUrls.ROUTE.equals(typeUrl);
      for (MeshService s : push.services()) {
        if (s.port(port).isEmpty() || !mentionsOrUnnarrowed(s, port, name, detail)) {
          continue;
        }
        refs.add(s.source());
        if (routes || name.contains(":")) {
          push.virtualServices()
              .forMeshHost(s.hostname(), viewer)
              .forEach(vs -> refs.add(vs.ref()));
        }
      }
    }
    return refs;
  }

  /** With a host named in the resource's name or the proxy's complaint, only that host counts. */
  private boolean mentionsOrUnnarrowed(MeshService s, int port, String name, String detail) {
    String vhost = s.hostname() + ":" + port;
    if (name.contains(":")) {
      return name.startsWith(s.hostname() + ":")
          || name.startsWith(s.name() + ":")
          || name.startsWith(s.name() + "." + s.namespace());
    }
    if (name.contains("_") && !name.startsWith("0.0.0.0_")) {
      return s.hasVip() && name.startsWith(s.vip() + "_");
    }
    boolean anyNamed = false;
    for (MeshService other : push.services()) {
      for (ServicePort p : other.ports()) {
        if (p.port() == port && detail.contains(other.hostname() + ":" + port)) {
          anyNamed = true;
        }
      }
    }
    return !anyNamed || detail.contains(vhost);
  }

  private void host(String host, Set<ObjectRef> refs, boolean endpoints) {
    Optional<MeshService> s = push.service(host);
    if (s.isPresent()) {
      refs.add(s.get().source());
      if (endpoints && s.get().kubernetes()) {
        boolean sliced = false;
        for (var slice : push.config().list(Kind.ENDPOINT_SLICE, s.get().namespace())) {
          if (slice.spec().serviceName().equals(s.get().name())) {
            refs.add(slice.ref());
            sliced = true;
          }
        }
        if (!sliced) {
          refs.add(new ObjectRef(Kind.ENDPOINTS, s.get().namespace(), s.get().name()));
        }
      }
    }
    push.mergedDestinationRule(host, viewer).ifPresent(dr -> refs.addAll(dr.from()));
  }

  private static int portOf(String name) {
    String digits;
    int sep = Math.max(name.lastIndexOf('_'), name.lastIndexOf(':'));
    digits = sep < 0 ? name : name.substring(sep + 1);
    try {
      int port = Integer.parseInt(digits);
      return port > 0 && port < 65536 ? port : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
