package dev.mizzen.pilot.push;

import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.ConfigError;
import dev.mizzen.ingest.model.VirtualServiceSpec;
import dev.mizzen.ingest.model.VirtualServiceSpec.HttpMatch;
import dev.mizzen.ingest.model.VirtualServiceSpec.HttpRoute;
import dev.mizzen.ingest.model.VirtualServiceSpec.L4Match;
import dev.mizzen.ingest.model.VirtualServiceSpec.Mirror;
import dev.mizzen.ingest.model.VirtualServiceSpec.RouteDestination;
import dev.mizzen.ingest.model.VirtualServiceSpec.TcpRoute;
import dev.mizzen.ingest.model.VirtualServiceSpec.TlsRoute;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The VirtualServices of one push, ready to route with: names made absolute (destination hosts
 * fully qualified, gateways as {@code namespace/name}), delegates merged into the routes of their
 * roots as Istio merges them, and indexed by host for the mesh and by gateway.
 */
public final class VirtualServices {
  static final Comparator<Config<?>> PRECEDENCE =
      Comparator.comparing((Config<?> c) -> c.meta().creationTimestamp())
          .thenComparing(Config::namespace)
          .thenComparing(Config::name);

  private final Map<String, List<Config<VirtualServiceSpec>>> meshByHost;
  private final Map<String, List<Config<VirtualServiceSpec>>> byGateway;
  private final List<Config<VirtualServiceSpec>> all;

  private VirtualServices(
      Map<String, List<Config<VirtualServiceSpec>>> meshByHost,
      Map<String, List<Config<VirtualServiceSpec>>> byGateway,
      List<Config<VirtualServiceSpec>> all) {
    this.meshByHost = meshByHost;
    this.byGateway = byGateway;
    this.all = all;
  }

  static VirtualServices build(
      List<Config<VirtualServiceSpec>> written, MeshSettings mesh, List<ConfigError> warnings) {
    Map<String, Config<VirtualServiceSpec>> delegates = new HashMap<>();
    List<Config<VirtualServiceSpec>> roots = new ArrayList<>();
    for (Config<VirtualServiceSpec> vs : written) {
      Config<VirtualServiceSpec> absolute = absolute(vs, mesh);
      if (vs.spec().isDelegate()) {
        delegates.put(vs.namespace() + "/" + vs.name(), absolute);
      } else {
        roots.add(absolute);
      }
    }
    Map<String, List<Config<VirtualServiceSpec>>> meshByHost = new HashMap<>();
    Map<String, List<Config<VirtualServiceSpec>>> byGateway = new HashMap<>();
    List<Config<VirtualServiceSpec>> all = new ArrayList<>();
    for (Config<VirtualServiceSpec> root : roots) {
      Config<VirtualServiceSpec> vs = Delegation.merge(root, delegates, warnings);
      all.add(vs);
      for (String gateway : gateways(vs.spec())) {
        if (gateway.equals(VirtualServiceSpec.MESH)) {
          for (String host : vs.spec().hosts()) {
            meshByHost
                .computeIfAbsent(mesh.resolve(host, vs.namespace()), h -> new ArrayList<>())
                .add(vs);
          }
        } else {
          byGateway.computeIfAbsent(gateway, g -> new ArrayList<>()).add(vs);
        }
      }
    }
    meshByHost.values().forEach(l -> l.sort(PRECEDENCE));
    byGateway.values().forEach(l -> l.sort(PRECEDENCE));
    all.sort(PRECEDENCE);
    return new VirtualServices(meshByHost, byGateway, List.copyOf(all));
  }

  /** The gateways a VirtualService is bound to; none written means the mesh. */
  public static Set<String> gateways(VirtualServiceSpec spec) {
    return spec.gateways().isEmpty()
        ? Set.of(VirtualServiceSpec.MESH)
        : new LinkedHashSet<>(spec.gateways());
  }

  /** Every root VirtualService with its delegates merged, oldest first. */
  public List<Config<VirtualServiceSpec>> all() {
    return all;
  }

  /**
   * The VirtualServices that route {@code host} for sidecars in {@code viewer}, oldest first: those
   * naming it, then those whose wildcard hosts cover it, the most specific first. Sidecars use the
   * first, as Istio's do.
   */
  public List<Config<VirtualServiceSpec>> forMeshHost(String host, String viewer) {
    List<Config<VirtualServiceSpec>> out = new ArrayList<>();
    for (Config<VirtualServiceSpec> vs : meshByHost.getOrDefault(host, List.of())) {
      if (ExportTo.visible(vs.spec().exportTo(), vs.namespace(), viewer)) {
        out.add(vs);
      }
    }
    String suffix = host;
    while (true) {
      int dot = suffix.indexOf('.');
      if (dot < 0) {
        break;
      }
      suffix = suffix.substring(dot + 1);
      for (Config<VirtualServiceSpec> vs : meshByHost.getOrDefault("*." + suffix, List.of())) {
        if (ExportTo.visible(vs.spec().exportTo(), vs.namespace(), viewer)) {
          out.add(vs);
        }
      }
    }
    return out;
  }

  /** The VirtualServices bound to gateway {@code namespace/name}, oldest first. */
  public List<Config<VirtualServiceSpec>> forGateway(String gateway) {
    return byGateway.getOrDefault(gateway, List.of());
  }

  Map<String, List<Config<VirtualServiceSpec>>> meshIndex() {
    return meshByHost;
  }

  /** The same VirtualService with every name in it made absolute. */
  private static Config<VirtualServiceSpec> absolute(
      Config<VirtualServiceSpec> vs, MeshSettings mesh) {
    String ns = vs.namespace();
    VirtualServiceSpec s = vs.spec();
    List<HttpRoute> http = new ArrayList<>();
    for (HttpRoute r : s.http()) {
      List<HttpMatch> matches = new ArrayList<>();
      for (HttpMatch m : r.matches()) {
        matches.add(
            new HttpMatch(
                m.name(),
                m.uri(),
                m.scheme(),
                m.method(),
                m.authority(),
                m.headers(),
                m.withoutHeaders(),
                m.queryParams(),
                m.port(),
                m.sourceLabels(),
                m.sourceNamespace(),
                gateways(m.gateways(), ns),
                m.ignoreUriCase(),
                m.statPrefix()));
      }
      List<Mirror> mirrors = new ArrayList<>();
      for (Mirror m : r.mirrors()) {
        mirrors.add(new Mirror(mesh.resolve(m.host(), ns), m.subset(), m.port(), m.percent()));
      }
      http.add(
          new HttpRoute(
              r.name(),
              matches,
              destinations(r.route(), ns, mesh),
              r.redirect(),
              r.directResponse(),
              r.delegate(),
              r.rewrite(),
              r.timeout(),
              r.retries(),
              r.fault(),
              mirrors,
              r.corsPolicy(),
              r.headers()));
    }
    List<TcpRoute> tcp = new ArrayList<>();
    for (TcpRoute r : s.tcp()) {
      tcp.add(new TcpRoute(l4(r.matches(), ns), destinations(r.route(), ns, mesh)));
    }
    List<TlsRoute> tls = new ArrayList<>();
    for (TlsRoute r : s.tls()) {
      tls.add(new TlsRoute(l4(r.matches(), ns), destinations(r.route(), ns, mesh)));
    }
    VirtualServiceSpec spec =
        new VirtualServiceSpec(s.hosts(), gateways(s.gateways(), ns), http, tcp, tls, s.exportTo());
    return new Config<>(vs.ref(), vs.meta(), spec, vs.origin(), vs.source());
  }

  private static List<L4Match> l4(List<L4Match> matches, String ns) {
    List<L4Match> out = new ArrayList<>();
    for (L4Match m : matches) {
      out.add(
          new L4Match(
              m.sniHosts(),
              m.destinationSubnets(),
              m.port(),
              m.sourceLabels(),
              m.sourceNamespace(),
              gateways(m.gateways(), ns)));
    }
    return out;
  }

  private static List<RouteDestination> destinations(
      List<RouteDestination> route, String ns, MeshSettings mesh) {
    List<RouteDestination> out = new ArrayList<>();
    for (RouteDestination d : route) {
      out.add(
          new RouteDestination(
              mesh.resolve(d.host(), ns), d.subset(), d.port(), d.weight(), d.headers()));
    }
    return out;
  }

  /** Gateway names as {@code namespace/name}; a bare name is in the VirtualService's namespace. */
  static List<String> gateways(List<String> written, String ns) {
    List<String> out = new ArrayList<>();
    for (String g : written) {
      out.add(g.equals(VirtualServiceSpec.MESH) || g.contains("/") ? g : ns + "/" + g);
    }
    return out;
  }
}
