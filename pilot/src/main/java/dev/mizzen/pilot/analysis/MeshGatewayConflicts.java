package dev.mizzen.pilot.analysis;

import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.Kind;
import dev.mizzen.ingest.model.VirtualServiceSpec;
import dev.mizzen.pilot.push.MeshSettings;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * IST0109, as Istio's analyzer finds it: VirtualServices bound to the mesh that define the same
 * host in the same scope (the namespaces they are exported to, or all), or a host one of them
 * exports to all that overlaps a host another exports to some. Each such VirtualService is told
 * once, with all those it conflicts with; sidecars apply only the oldest.
 */
final class MeshGatewayConflicts implements Analyzer {
  private static final String ALL = "*";

  @Override
  public void analyze(AnalysisContext context, List<AnalysisMessage> out) {
    MeshSettings mesh = context.push().mesh();
    // "scope/fqdn" to the VirtualServices defining it, in order.
    Map<String, Set<Config<VirtualServiceSpec>>> byScopedHost = new TreeMap<>();
    List<Config<VirtualServiceSpec>> all =
        new ArrayList<>(context.push().config().list(Kind.VIRTUAL_SERVICE));
    all.sort((a, b) -> (a.namespace() + "/" + a.name()).compareTo(b.namespace() + "/" + b.name()));
    for (Config<VirtualServiceSpec> vs : all) {
      List<String> gateways = vs.spec().gateways();
      if (!gateways.isEmpty() && !gateways.contains(VirtualServiceSpec.MESH)) {
        continue;
      }
      for (String scope : scopes(vs)) {
        for (String h : vs.spec().hosts()) {
          byScopedHost
              .computeIfAbsent(
                  scope + "/" + mesh.resolve(h, vs.namespace()), k -> new LinkedHashSet<>())
              .add(vs);
        }
      }
    }
    // Hosts exported to all: by name, and those that are wildcards apart (few), so that a host of
    // one scope finds what overlaps it without comparing against every other.
    Map<String, Set<Config<VirtualServiceSpec>>> toAll = new TreeMap<>();
    List<String> wildcardsToAll = new ArrayList<>();
    for (Map.Entry<String, Set<Config<VirtualServiceSpec>>> e : byScopedHost.entrySet()) {
      if (e.getKey().startsWith(ALL + "/")) {
        String host = e.getKey().substring(ALL.length() + 1);
        toAll.put(host, e.getValue());
        if (host.startsWith("*")) {
          wildcardsToAll.add(host);
        }
      }
    }
    Set<Config<VirtualServiceSpec>> reported = new HashSet<>();
    for (Map.Entry<String, Set<Config<VirtualServiceSpec>>> e : byScopedHost.entrySet()) {
      String scope = e.getKey().substring(0, e.getKey().indexOf('/'));
      String host = e.getKey().substring(e.getKey().indexOf('/') + 1);
      Set<Config<VirtualServiceSpec>> list = new LinkedHashSet<>(e.getValue());
      if (!scope.equals(ALL)) {
        for (String other : host.startsWith("*") ? toAll.keySet() : wildcardsToAll) {
          if (overlaps(host, other)) {
            list.addAll(toAll.get(other));
          }
        }
        list.addAll(toAll.getOrDefault(host, Set.of()));
      }
      if (list.size() < 2) {
        continue;
      }
      String names =
          list.stream().map(v -> v.namespace() + "/" + v.name()).collect(Collectors.joining(","));
      for (Config<VirtualServiceSpec> vs : list) {
        if (reported.add(vs)) {
          out.add(
              AnalysisMessage.on(
                  vs,
                  "spec.hosts",
                  MessageType.CONFLICTING_MESH_GATEWAY_VIRTUAL_SERVICE_HOSTS,
                  "The VirtualServices "
                      + names
                      + " associated with mesh gateway define the same host "
                      + e.getKey()
                      + " which can lead to undefined behavior. This can be fixed by merging the"
                      + " conflicting VirtualServices into a single resource."));
        }
      }
    }
  }

  /** The namespaces a VirtualService's hosts are defined for: "*" for all. */
  private static Set<String> scopes(Config<VirtualServiceSpec> vs) {
    List<String> exportTo = vs.spec().exportTo();
    if (exportTo.isEmpty() || exportTo.contains(ALL)) {
      return Set.of(ALL);
    }
    Set<String> scopes = new LinkedHashSet<>();
    for (String e : exportTo) {
      scopes.add(e.equals(".") ? vs.namespace() : e);
    }
    return scopes;
  }

  /** Istio's overlap of two hosts, either of which may be a wildcard. */
  static boolean overlaps(String a, String b) {
    boolean aWild = a.startsWith("*");
    boolean bWild = b.startsWith("*");
    if (aWild && bWild) {
      return a.length() < b.length()
          ? b.substring(1).endsWith(a.substring(1))
          : a.substring(1).endsWith(b.substring(1));
    }
    if (aWild) {
      return b.endsWith(a.substring(1));
    }
    if (bWild) {
      return a.endsWith(b.substring(1));
    }
    return a.equals(b);
  }
}
