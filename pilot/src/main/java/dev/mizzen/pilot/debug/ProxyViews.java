package dev.mizzen.pilot.debug;

import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import dev.mizzen.pilot.cache.TypeUrls;
import dev.mizzen.pilot.control.Rejections;
import dev.mizzen.pilot.proxy.Proxy;
import dev.mizzen.pilot.xds.ProxyConnection;
import dev.mizzen.pilot.xds.ProxyStreams;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** What the debug endpoints show of connected proxies: syncz, adsz, connections. */
final class ProxyViews {
  private final ProxyStreams<?> cache;
  private final Rejections rejections;
  private final String version;

  ProxyViews(ProxyStreams<?> cache, Rejections rejections, String version) {
    this.cache = cache;
    this.rejections = rejections;
    this.version = version;
  }

  /** Connected proxies matching the usual filters, ordered by id. */
  List<ProxyConnection> select(Map<String, String> query) {
    String namespace = query.getOrDefault("namespace", "");
    String proxyId = query.getOrDefault("proxyID", "");
    List<ProxyConnection> out = new ArrayList<>();
    for (ProxyConnection c : cache.connections()) {
      Proxy p = c.proxy();
      if (!namespace.isEmpty() && !namespace.equals(p.namespace())) {
        continue;
      }
      if (!proxyId.isEmpty() && !proxyId.equals(p.shortId()) && !proxyId.equals(p.id())) {
        continue;
      }
      out.add(c);
    }
    out.sort(
        Comparator.comparing((ProxyConnection c) -> c.proxy().shortId())
            .thenComparing(ProxyConnection::streamId));
    return out;
  }

  /**
   * istiod's /debug/syncz: per proxy the nonce last sent and last acknowledged per type (what Kiali
   * reads), plus, per type, the versions and the proxy's last refusal.
   */
  List<Map<String, Object>> syncz(Map<String, String> query) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (ProxyConnection c : select(query)) {
      Proxy p = c.proxy();
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("cluster_id", p.clusterId());
      e.put("proxy", p.shortId());
      e.put("proxy_type", p.type().istioName());
      e.put("proxy_version", p.istioVersion());
      e.put("istio_version", version);
      var status = c.status();
      var refused = rejections.ofProxy(p.shortId());
      Map<String, Object> resources = new LinkedHashMap<>();
      for (String type : TypeUrls.PUSH_ORDER) {
        var s = status.get(type);
        String name = TypeUrls.shortName(type);
        e.put(name + "_sent", s == null ? "" : s.sentNonce());
        e.put(name + "_acked", s == null ? "" : s.ackedNonce());
        if (s != null) {
          Map<String, Object> r = new LinkedHashMap<>();
          r.put("sentVersion", s.sentVersion());
          r.put("ackedVersion", s.ackedVersion());
          if (!s.lastError().isEmpty()) {
            r.put("rejectedVersion", s.nackedVersion());
            r.put("lastError", s.lastError());
            r.put("lastErrorTime", String.valueOf(s.lastErrorAt()));
            r.put("rejections", s.nackCount());
          }
          Rejections.Rejection rejection = refused.get(name);
          if (rejection != null) {
            r.put("rejectedResources", rejection.resources());
            r.put("rejectedObjects", rejection.objects().stream().map(Object::toString).toList());
          }
          resources.put(name, r);
        }
      }
      e.put("extensionconfig_sent", "");
      e.put("extensionconfig_acked", "");
      e.put("resources", resources);
      out.add(e);
    }
    return out;
  }

  /** istiod's /debug/adsz: every client with its metadata and what it watches. */
  Map<String, Object> adsz(Map<String, String> query) {
    List<Map<String, Object>> clients = new ArrayList<>();
    for (ProxyConnection c : select(query)) {
      Map<String, Object> e = connection(c);
      Proxy p = c.proxy();
      e.put("labels", new TreeMap<>(p.labels()));
      e.put("metadata", metadata(p.metadata()));
      Map<String, Object> watches = new LinkedHashMap<>();
      c.status()
          .forEach(
              (type, s) ->
                  watches.put(type, s.wildcard() ? List.of() : new TreeSet<>(s.requestedNames())));
      e.put("watches", watches);
      clients.add(e);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("totalClients", clients.size());
    out.put("clients", clients);
    return out;
  }

  /** istiod's /debug/connections: who is connected, from where, since when. */
  Map<String, Object> connections(Map<String, String> query) {
    List<Map<String, Object>> clients = new ArrayList<>();
    for (ProxyConnection c : select(query)) {
      clients.add(connection(c));
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("totalClients", clients.size());
    out.put("clients", clients);
    return out;
  }

  private static Map<String, Object> connection(ProxyConnection c) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("connectionId", c.connectionId());
    e.put("connectedAt", c.connectedAt().toString());
    e.put("address", String.valueOf(c.remoteAddress()));
    return e;
  }

  private static Object metadata(Struct metadata) {
    try {
      return DebugServer.JSON.readTree(JsonFormat.printer().print(metadata));
    } catch (Exception e) {
      return Map.of();
    }
  }
}
