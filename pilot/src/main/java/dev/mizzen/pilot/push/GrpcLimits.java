package dev.mizzen.pilot.push;

import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.ConfigError;
import dev.mizzen.ingest.model.DestinationRuleSpec;
import dev.mizzen.ingest.model.DestinationRuleSpec.TrafficPolicy;
import dev.mizzen.ingest.model.Kind;
import dev.mizzen.ingest.model.Protocol;
import dev.mizzen.ingest.model.VirtualServiceSpec;
import dev.mizzen.ingest.model.VirtualServiceSpec.HttpRoute;
import java.util.List;

/**
 * What proxyless gRPC clients cannot do of what a VirtualService or DestinationRule for a gRPC port
 * asks, said once per field: grpc-java refuses routes that redirect or answer directly (they are
 * left out of what it is sent), ignores mirrors, CORS, header changes, rewrites and per-try
 * timeouts (they are left out), balances only by round robin or a ring hash of a header
 * (grpc-js-xds refuses a cluster asking for least request), and takes TLS only from its own
 * certificate providers (so a rule asking for TLS from files or Secrets makes its calls fail rather
 * than go out in plain text).
 */
final class GrpcLimits {
  static final String PREFIX = "proxyless gRPC clients ";
  private final PushContext push;

  GrpcLimits(PushContext push) {
    this.push = push;
  }

  void check(List<ConfigError> warnings) {
    for (Config<VirtualServiceSpec> vs : push.virtualServices().all()) {
      if (!VirtualServices.gateways(vs.spec()).contains(VirtualServiceSpec.MESH)
          || !routesGrpc(vs)) {
        continue;
      }
      List<HttpRoute> http = vs.spec().http();
      for (int i = 0; i < http.size(); i++) {
        HttpRoute r = http.get(i);
        String f = "spec.http[" + i + "]";
        if (r.redirect() != null) {
          warnings.add(
              Warnings.warning(
                  vs,
                  f + ".redirect",
                  PREFIX
                      + "refuse routes that redirect; this route is left out of what they are sent"));
        }
        if (r.directResponse() != null) {
          warnings.add(
              Warnings.warning(
                  vs,
                  f + ".directResponse",
                  PREFIX
                      + "refuse routes that answer directly; this route is left out of what they are sent"));
        }
        if (!r.mirrors().isEmpty()) {
          warnings.add(ignored(vs, f + ".mirror", "do not mirror traffic"));
        }
        if (r.corsPolicy() != null) {
          warnings.add(ignored(vs, f + ".corsPolicy", "do not apply CORS policies"));
        }
        if (!r.headers().isEmpty() || r.route().stream().anyMatch(d -> !d.headers().isEmpty())) {
          warnings.add(ignored(vs, f + ".headers", "do not change headers"));
        }
        if (r.rewrite() != null) {
          warnings.add(ignored(vs, f + ".rewrite", "do not rewrite requests"));
        }
        if (r.retries() != null && r.retries().perTryTimeout() != null) {
          warnings.add(ignored(vs, f + ".retries.perTryTimeout", "do not time out single tries"));
        }
      }
    }
    for (MeshService s : push.services()) {
      if (s.ports().stream().noneMatch(p -> p.protocol() == Protocol.GRPC)) {
        continue;
      }
      for (Config<DestinationRuleSpec> dr : push.config().list(Kind.DESTINATION_RULE)) {
        if (!push.mesh().resolve(dr.spec().host(), dr.namespace()).equals(s.hostname())) {
          continue;
        }
        policy(dr, dr.spec().trafficPolicy(), "spec.trafficPolicy", warnings);
        for (int i = 0; i < dr.spec().subsets().size(); i++) {
          policy(
              dr,
              dr.spec().subsets().get(i).trafficPolicy(),
              "spec.subsets[" + i + "].trafficPolicy",
              warnings);
        }
      }
    }
  }

  private static void policy(
      Config<DestinationRuleSpec> dr, TrafficPolicy p, String f, List<ConfigError> warnings) {
    if (p == null) {
      return;
    }
    var lb = p.loadBalancer();
    if (lb != null
        && lb.simple() != null
        && lb.simple() != DestinationRuleSpec.SimpleLb.ROUND_ROBIN) {
      warnings.add(
          Warnings.warning(
              dr,
              f + ".loadBalancer.simple",
              PREFIX + "do not support " + lb.simple() + "; they use ROUND_ROBIN"));
    }
    if (lb != null && lb.hash() != null && lb.hash().httpHeaderName().isEmpty()) {
      warnings.add(
          Warnings.warning(
              dr,
              f + ".loadBalancer.consistentHash",
              PREFIX + "hash only on a header; without one their ring hash picks at random"));
    }
    if (p.tls() != null
        && (p.tls().mode() == DestinationRuleSpec.TlsMode.SIMPLE
            || p.tls().mode() == DestinationRuleSpec.TlsMode.MUTUAL)) {
      warnings.add(
          Warnings.warning(
              dr,
              f + ".tls.mode",
              PREFIX
                  + "cannot originate TLS from files or Secrets; their calls to this host fail (they are sent no"
                  + " endpoints) rather than go out in plain text"));
    }
    if (p.outlierDetection() != null) {
      warnings.add(
          ignored(
              dr,
              f + ".outlierDetection",
              "eject only by success rate or failure percentage, which Istio does not configure"));
    }
    for (int i = 0; i < p.portLevelSettings().size(); i++) {
      var port = p.portLevelSettings().get(i);
      policy(
          dr,
          new TrafficPolicy(
              port.loadBalancer(),
              port.connectionPool(),
              port.outlierDetection(),
              port.tls(),
              List.of()),
          f + ".portLevelSettings[" + i + "]",
          warnings);
    }
  }

  private static ConfigError ignored(Config<?> c, String field, String what) {
    return Warnings.warning(c, field, PREFIX + what + "; they are sent the rest without it");
  }

  private boolean routesGrpc(Config<VirtualServiceSpec> vs) {
    for (String host : vs.spec().hosts()) {
      String resolved = push.mesh().resolve(host, vs.namespace());
      for (MeshService s : push.services()) {
        if (SidecarScope.hostMatches(resolved, s.hostname())
            && s.ports().stream().anyMatch(p -> p.protocol() == Protocol.GRPC)) {
          return true;
        }
      }
    }
    return false;
  }
}
