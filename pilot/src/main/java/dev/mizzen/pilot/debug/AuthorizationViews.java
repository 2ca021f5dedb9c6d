package dev.mizzen.pilot.debug;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Message;
import dev.mizzen.authz.Authorization;
import dev.mizzen.authz.Explanation;
import dev.mizzen.authz.WorkloadAuthz;
import dev.mizzen.authz.explain.RequestDescription;
import dev.mizzen.authz.rbac.DryRun;
import dev.mizzen.authz.rbac.GeneratedRule;
import dev.mizzen.authz.rbac.RbacFilter;
import dev.mizzen.ingest.model.AuthorizationPolicySpec;
import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.Kind;
import dev.mizzen.pilot.control.PushPipeline;
import dev.mizzen.pilot.control.PushStatus;
import dev.mizzen.pilot.generate.GroupKey;
import dev.mizzen.pilot.generate.InboundPort;
import dev.mizzen.pilot.xds.ProxyConnection;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * istiod's {@code /debug/authorizationz}: the authorization policies of the mesh, and for each
 * connected workload the policies that apply and the RBAC generated for it. Given a proxy and a
 * request ({@code proxyID=ID&method=M&path=P&header=k:v...}), it also says which policy and rule
 * decide that request.
 */
final class AuthorizationViews {
  /** The request parameters the explanation reads. */
  static final List<String> REQUEST_PARAMS =
      List.of(
          "method",
          "path",
          "host",
          "header",
          "port",
          "sourceIp",
          "remoteIp",
          "principal",
          "requestPrincipal",
          "sni",
          "claim");

  private final PushPipeline pipeline;

  AuthorizationViews(PushPipeline pipeline) {
    this.pipeline = pipeline;
  }

  /** The body for a query; {@link Answer#status} is 404 for an unknown proxy, 400 for bad input. */
  Answer authorizationz(Map<String, List<String>> query) throws IOException {
    PushStatus status = pipeline.status();
    Map<String, Object> body = new LinkedHashMap<>();
    if (status == null) {
      return new Answer(503, Map.of("error", "no push yet"));
    }
    Authorization authz = status.push().authz();
    String proxyId = first(query, "proxyID");
    boolean explain = REQUEST_PARAMS.stream().anyMatch(query::containsKey);
    if (explain && proxyId.isEmpty()) {
      return new Answer(400, Map.of("error", "explaining a request needs the proxyID parameter"));
    }
    if (proxyId.isEmpty()) {
      body.put("authorization_policies", policies(status));
    }
    List<ProxyConnection> conns = new ArrayList<>(pipeline.streams().connections());
    conns.sort(Comparator.comparing(c -> c.proxy().shortId()));
    if (!proxyId.isEmpty()) {
      Optional<ProxyConnection> conn = pipeline.streams().find(proxyId);
      if (conn.isEmpty()) {
        return new Answer(404, Map.of("error", "proxy " + proxyId + " is not connected"));
      }
      conns = List.of(conn.get());
    }
    List<Map<String, Object>> workloads = new ArrayList<>();
    for (ProxyConnection c : conns) {
      GroupKey key = GroupKey.of(c.proxy(), status.push());
      WorkloadAuthz w = authz.workload(key.workload());
      workloads.add(workload(c, key, w));
      if (explain) {
        RequestDescription request;
        try {
          request = RequestParams.read(query, key);
        } catch (IllegalArgumentException e) {
          return new Answer(400, Map.of("error", e.getMessage()));
        }
        body.put("proxy", c.proxy().shortId());
        body.put("request", request);
        body.put("explanation", explanation(w.explain(request)));
      }
    }
    body.put("workloads", workloads);
    return new Answer(200, body);
  }

  /** istiod's shape: policies by namespace, and the root namespace. */
  private static Map<String, Object> policies(PushStatus status) {
    Map<String, List<Map<String, Object>>> byNamespace = new TreeMap<>();
    for (Config<AuthorizationPolicySpec> p : status.config().list(Kind.AUTHORIZATION_POLICY)) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("name", p.name());
      e.put("namespace", p.namespace());
      e.put("spec", p.source());
      byNamespace.computeIfAbsent(p.namespace(), n -> new ArrayList<>()).add(e);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("namespace_to_policies", byNamespace);
    out.put("root_namespace", status.push().mesh().rootNamespace());
    return out;
  }

  private static Map<String, Object> workload(ProxyConnection c, GroupKey key, WorkloadAuthz w)
      throws IOException {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("proxy", c.proxy().shortId());
    e.put("namespace", c.proxy().namespace());
    e.put("labels", new TreeMap<>(c.proxy().labels()));
    e.put("services", key.services());
    e.put("enforced_by", w.enforcedBy());
    e.put("shadow", w.shadow());
    List<Map<String, Object>> applying = new ArrayList<>();
    for (Config<AuthorizationPolicySpec> p : w.policies()) {
      Map<String, Object> pe = new LinkedHashMap<>();
      pe.put("namespace", p.namespace());
      pe.put("name", p.name());
      pe.put("action", p.spec().action().name());
      if (DryRun.of(p).orElse(false)) {
        // Evaluated into Envoy shadow rules: logged and counted, not enforced.
        pe.put("dry_run", true);
      }
      if (p.isStandIn()) {
        pe.put("served_fail_closed", p.failedClosed().field() + ": " + p.failedClosed().reason());
      }
      pe.put("http_rules", w.rules(p, false).stream().map(GeneratedRule::name).toList());
      pe.put("tcp_rules", w.rules(p, true).stream().map(GeneratedRule::name).toList());
      if (!p.spec().problems().isEmpty()) {
        pe.put(
            "problems",
            p.spec().problems().stream().map(x -> x.field() + ": " + x.reason()).toList());
      }
      applying.add(pe);
    }
    e.put("policies", applying);
    List<Map<String, Object>> mtls = new ArrayList<>();
    for (InboundPort port : key.inbound()) {
      var m = w.mtls(port.port());
      mtls.add(Map.of("port", port.port(), "mode", m.mode().name(), "source", m.source()));
    }
    e.put("mtls", mtls);
    Map<String, Object> rbac = new LinkedHashMap<>();
    rbac.put("http", filters(w.rbac(false), false));
    rbac.put("tcp", filters(w.rbac(true), true));
    e.put("rbac", rbac);
    return e;
  }

  private static List<JsonNode> filters(List<RbacFilter> filters, boolean tcp) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (RbacFilter f : filters) {
      Message m = tcp ? f.network() : f.http(RbacFilter.HTTP_NAME);
      out.add(DebugServer.JSON.readTree(ConfigDumps.json(m)));
    }
    return out;
  }

  private static Map<String, Object> explanation(Explanation x) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("decision", x.decision());
    e.put("enforced", x.enforced());
    e.put("filter", x.filter());
    e.put("policy", x.policy());
    e.put("namespace", x.namespace());
    e.put("name", x.name());
    e.put("rule", x.rule());
    e.put("message", x.message());
    e.put("audited", x.audited());
    e.put("dry_run", x.dryRun());
    return e;
  }

  private static String first(Map<String, List<String>> query, String key) {
    List<String> v = query.get(key);
    return v == null || v.isEmpty() ? "" : v.get(0);
  }

  /** A status code and a body to send as JSON. */
  record Answer(int status, Object body) {}
}
