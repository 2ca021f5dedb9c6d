package dev.mizzen.ingest.parse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mizzen.ingest.model.DestinationRuleSpec.ClientTls;
import dev.mizzen.ingest.model.DestinationRuleSpec.ConnectionPool;
import dev.mizzen.ingest.model.DestinationRuleSpec.ConsistentHash;
import dev.mizzen.ingest.model.DestinationRuleSpec.LoadBalancer;
import dev.mizzen.ingest.model.DestinationRuleSpec.OutlierDetection;
import dev.mizzen.ingest.model.DestinationRuleSpec.SimpleLb;
import dev.mizzen.ingest.model.DestinationRuleSpec.TlsMode;
import io.fabric8.istio.api.api.networking.v1alpha3.ClientTLSSettings;
import io.fabric8.istio.api.api.networking.v1alpha3.ConnectionPoolSettings;
import io.fabric8.istio.api.api.networking.v1alpha3.LoadBalancerSettings;
import io.fabric8.istio.api.api.networking.v1alpha3.LoadBalancerSettingsConsistentHash;
import io.fabric8.istio.api.api.networking.v1alpha3.LoadBalancerSettingsConsistentHashLBHttpCookie;
import io.fabric8.istio.api.api.networking.v1alpha3.LoadBalancerSettingsConsistentHashLBHttpHeaderName;
import io.fabric8.istio.api.api.networking.v1alpha3.LoadBalancerSettingsConsistentHashLBHttpQueryParameterName;
import io.fabric8.istio.api.api.networking.v1alpha3.LoadBalancerSettingsConsistentHashLBMaglev;
import io.fabric8.istio.api.api.networking.v1alpha3.LoadBalancerSettingsConsistentHashLBUseSourceIp;
import io.fabric8.istio.api.api.networking.v1alpha3.LoadBalancerSettingsSimple;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** The parts of a DestinationRule traffic policy, checked as Istio's validation checks them. */
final class TrafficPolicies {
  /** Envoy's largest Maglev table is smaller than this prime. */
  private static final long MAGLEV_LIMIT = 5000011;

  private TrafficPolicies() {}

  private static String hf(String f) {
    return f + ".http";
  }

  static boolean isPrime(long n) {
    if (n < 2) {
      return false;
    }
    for (long d = 2; d * d <= n; d++) {
      if (n % d == 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * Ring sizes taken out of the spec before it is read: the istio-model POJO of {@code ringHash}
   * has no {@code minimumRingSize} field (and cannot even read an empty one), so strict reading
   * would refuse every written one. The {@code ringHash} keys are removed from {@code spec}; the
   * sizes are returned keyed by the field path of the load balancer holding them.
   */
  static Map<String, Long> takeRingSizes(JsonNode spec) throws FieldException {
    Map<String, Long> sizes = new HashMap<>();
    takeFromPolicy(spec.get("trafficPolicy"), "spec.trafficPolicy", sizes);
    JsonNode subsets = spec.get("subsets");
    if (subsets != null && subsets.isArray()) {
      for (int i = 0; i < subsets.size(); i++) {
        takeFromPolicy(
            subsets.get(i).get("trafficPolicy"), "spec.subsets[" + i + "].trafficPolicy", sizes);
      }
    }
    return sizes;
  }

  private static void takeFromPolicy(JsonNode policy, String f, Map<String, Long> sizes)
      throws FieldException {
    if (policy == null || !policy.isObject()) {
      return;
    }
    takeFromLb(policy.get("loadBalancer"), f + ".loadBalancer", sizes);
    JsonNode ports = policy.get("portLevelSettings");
    if (ports != null && ports.isArray()) {
      for (int i = 0; i < ports.size(); i++) {
        JsonNode p = ports.get(i);
        if (p != null && p.isObject()) {
          takeFromLb(
              p.get("loadBalancer"), f + ".portLevelSettings[" + i + "].loadBalancer", sizes);
        }
      }
    }
  }

  private static void takeFromLb(JsonNode lb, String f, Map<String, Long> sizes)
      throws FieldException {
    JsonNode ch = lb == null ? null : lb.get("consistentHash");
    JsonNode ring = ch == null ? null : ch.get("ringHash");
    if (!(ring instanceof ObjectNode ringObject)) {
      return;
    }
    var names = ringObject.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!name.equals("minimumRingSize")) {
        throw new FieldException(f + ".consistentHash.ringHash." + name, "unknown field");
      }
    }
    JsonNode size = ringObject.remove("minimumRingSize");
    // A ring hash is the default algorithm; without the key the POJO has nothing to misread.
    ((ObjectNode) ch).remove("ringHash");
    if (size != null) {
      if (!size.canConvertToLong() || !size.isIntegralNumber()) {
        throw new FieldException(
            f + ".consistentHash.ringHash.minimumRingSize", "wrong type: expected integer");
      }
      sizes.put(f, size.asLong());
    }
  }

  static LoadBalancer loadBalancer(LoadBalancerSettings lb, String f, Map<String, Long> ringSizes)
      throws FieldException {
    if (lb == null) {
      return null;
    }
    Unsupported.refuse(lb.getLocalityLbSetting(), f + ".localityLbSetting");
    Unsupported.refuse(lb.getWarmup(), f + ".warmup");
    Unsupported.refuse(lb.getWarmupDurationSecs(), f + ".warmupDurationSecs");
    if (lb.getLbPolicy() instanceof LoadBalancerSettingsSimple s && s.getSimple() != null) {
      if (s.getSimple().name().equals("UNSPECIFIED")) {
        return null;
      }
      return new LoadBalancer(SimpleLb.valueOf(s.getSimple().name()), null);
    }
    if (lb.getLbPolicy() instanceof LoadBalancerSettingsConsistentHash c
        && c.getConsistentHash() != null) {
      var h = c.getConsistentHash();
      String hf = f + ".consistentHash";
      String header = "";
      String cookie = "";
      String cookiePath = "";
      Duration ttl = null;
      boolean sourceIp = false;
      String query = "";
      if (h.getHashKey() instanceof LoadBalancerSettingsConsistentHashLBHttpHeaderName k
          && k.getHttpHeaderName() != null) {
        header = k.getHttpHeaderName();
        HttpHeaders.requireHeaderName(header, hf + ".httpHeaderName");
      } else if (h.getHashKey() instanceof LoadBalancerSettingsConsistentHashLBHttpCookie k
          && k.getHttpCookie() != null) {
        var ck = k.getHttpCookie();
        if (ck.getName() == null || ck.getName().isEmpty()) {
          throw new FieldException(hf + ".httpCookie.name", "required");
        }
        if (ck.getAttributes() != null && !ck.getAttributes().isEmpty()) {
          Unsupported.refuseNonEmpty(ck.getAttributes(), hf + ".httpCookie.attributes");
        }
        cookie = ck.getName();
        cookiePath = Objects.requireNonNullElse(ck.getPath(), "");
        ttl = ck.getTtl() == null ? null : Durations.parse(ck.getTtl(), hf + ".httpCookie.ttl");
      } else if (h.getHashKey() instanceof LoadBalancerSettingsConsistentHashLBUseSourceIp k
          && k.getUseSourceIp() != null) {
        sourceIp = k.getUseSourceIp();
        if (!sourceIp) {
          throw new FieldException(hf + ".useSourceIp", "must be true when given");
        }
      } else if (h.getHashKey()
              instanceof LoadBalancerSettingsConsistentHashLBHttpQueryParameterName k
          && k.getHttpQueryParameterName() != null) {
        query = k.getHttpQueryParameterName();
        if (query.isEmpty()) {
          throw new FieldException(hf + ".httpQueryParameterName", "empty name");
        }
      } else {
        throw new FieldException(
            hf,
            "one of httpHeaderName, httpCookie, useSourceIp or httpQueryParameterName is required");
      }
      long maglev = 0;
      if (h.getHashAlgorithm() instanceof LoadBalancerSettingsConsistentHashLBMaglev m) {
        maglev =
            m.getMaglev() == null || m.getMaglev().getTableSize() == null
                ? 65537
                : m.getMaglev().getTableSize();
        if (maglev < 1 || maglev >= MAGLEV_LIMIT || !isPrime(maglev)) {
          // Envoy refuses any other table size.
          throw new FieldException(
              hf + ".maglev.tableSize", "must be a prime number below " + MAGLEV_LIMIT);
        }
      }
      long ring = ringSizes.getOrDefault(f, 0L);
      if (h.getMinimumRingSize() != null) {
        ring = h.getMinimumRingSize();
      }
      if (ring < 0) {
        throw new FieldException(hf + ".minimumRingSize", "must not be negative");
      }
      if (maglev > 0 && ring > 0) {
        throw new FieldException(hf + ".maglev", "a Maglev table has no ring size");
      }
      return new LoadBalancer(
          null, new ConsistentHash(header, cookie, cookiePath, ttl, sourceIp, query, maglev, ring));
    }
    return null;
  }

  static ConnectionPool connectionPool(ConnectionPoolSettings p, String f) throws FieldException {
    if (p == null) {
      return null;
    }
    var tcp = p.getTcp();
    var http = p.getHttp();
    if (tcp == null && http == null) {
      throw new FieldException(f, "empty: give tcp or http settings");
    }
    if (http != null
        && Boolean.TRUE.equals(http.getUseClientProtocol())
        && http.getH2UpgradePolicy() != null
        && http.getH2UpgradePolicy().name().equals("UPGRADE")) {
      throw new FieldException(
          hf(f) + ".useClientProtocol", "must not be true with h2UpgradePolicy UPGRADE");
    }
    String tf = f + ".tcp";
    String hf = f + ".http";
    var ka = tcp == null ? null : tcp.getTcpKeepalive();
    return new ConnectionPool(
        tcp == null ? null : positive(tcp.getMaxConnections(), tf + ".maxConnections"),
        tcp == null ? null : duration(tcp.getConnectTimeout(), tf + ".connectTimeout"),
        ka == null || ka.getProbes() == null
            ? null
            : positive((int) (long) ka.getProbes(), tf + ".tcpKeepalive.probes"),
        ka == null ? null : duration(ka.getTime(), tf + ".tcpKeepalive.time"),
        ka == null ? null : duration(ka.getInterval(), tf + ".tcpKeepalive.interval"),
        tcp == null
            ? null
            : duration(tcp.getMaxConnectionDuration(), tf + ".maxConnectionDuration"),
        tcp == null ? null : duration(tcp.getIdleTimeout(), tf + ".idleTimeout"),
        http == null
            ? null
            : positive(http.getHttp1MaxPendingRequests(), hf + ".http1MaxPendingRequests"),
        http == null ? null : positive(http.getHttp2MaxRequests(), hf + ".http2MaxRequests"),
        http == null
            ? null
            : nonNegative(http.getMaxRequestsPerConnection(), hf + ".maxRequestsPerConnection"),
        http == null ? null : nonNegative(http.getMaxRetries(), hf + ".maxRetries"),
        http == null ? null : duration(http.getIdleTimeout(), hf + ".idleTimeout"),
        http == null
                || http.getH2UpgradePolicy() == null
                || http.getH2UpgradePolicy().name().equals("DEFAULT")
            ? null
            : http.getH2UpgradePolicy().name(),
        http == null ? null : http.getUseClientProtocol(),
        http == null
            ? null
            : positive(http.getMaxConcurrentStreams(), hf + ".maxConcurrentStreams"));
  }

  static OutlierDetection outlierDetection(
      io.fabric8.istio.api.api.networking.v1alpha3.OutlierDetection o, String f)
      throws FieldException {
    if (o == null) {
      return null;
    }
    if (o.getConsecutiveErrors() != null) {
      throw new FieldException(
          f + ".consecutiveErrors",
          "removed from Istio's API; use consecutive5xxErrors or consecutiveGatewayErrors");
    }
    Integer max = nonNegative(o.getMaxEjectionPercent(), f + ".maxEjectionPercent");
    if (max != null && max > 100) {
      throw new FieldException(f + ".maxEjectionPercent", "must be between 0 and 100");
    }
    Integer min = nonNegative(o.getMinHealthPercent(), f + ".minHealthPercent");
    if (min != null && min > 100) {
      throw new FieldException(f + ".minHealthPercent", "must be between 0 and 100");
    }
    Integer local =
        nonNegative(o.getConsecutiveLocalOriginFailures(), f + ".consecutiveLocalOriginFailures");
    if (local != null && !Boolean.TRUE.equals(o.getSplitExternalLocalOriginErrors())) {
      throw new FieldException(
          f + ".consecutiveLocalOriginFailures",
          "only counted with splitExternalLocalOriginErrors: true");
    }
    return new OutlierDetection(
        nonNegative(o.getConsecutive5xxErrors(), f + ".consecutive5xxErrors"),
        nonNegative(o.getConsecutiveGatewayErrors(), f + ".consecutiveGatewayErrors"),
        local,
        o.getSplitExternalLocalOriginErrors(),
        duration(o.getInterval(), f + ".interval"),
        duration(o.getBaseEjectionTime(), f + ".baseEjectionTime"),
        max,
        min);
  }

  static ClientTls tls(ClientTLSSettings t, String f) throws FieldException {
    if (t == null) {
      return null;
    }
    Unsupported.refuse(t.getCaCrl(), f + ".caCrl");
    TlsMode mode = t.getMode() == null ? TlsMode.DISABLE : TlsMode.valueOf(t.getMode().name());
    String cert = Objects.requireNonNullElse(t.getClientCertificate(), "");
    String key = Objects.requireNonNullElse(t.getPrivateKey(), "");
    String ca = Objects.requireNonNullElse(t.getCaCertificates(), "");
    String credential = Objects.requireNonNullElse(t.getCredentialName(), "");
    List<String> sans = t.getSubjectAltNames() == null ? List.of() : t.getSubjectAltNames();
    if (mode == TlsMode.MUTUAL && credential.isEmpty() && (cert.isEmpty() || key.isEmpty())) {
      throw new FieldException(
          f, "MUTUAL needs clientCertificate and privateKey, or credentialName");
    }
    if ((mode == TlsMode.DISABLE || mode == TlsMode.ISTIO_MUTUAL)
        && (!cert.isEmpty() || !key.isEmpty() || !ca.isEmpty() || !credential.isEmpty())) {
      throw new FieldException(
          f, "certificates and credentialName are only used with mode SIMPLE or MUTUAL");
    }
    if (!credential.isEmpty() && (!cert.isEmpty() || !key.isEmpty() || !ca.isEmpty())) {
      throw new FieldException(
          f + ".credentialName", "credentialName and certificate files exclude each other");
    }
    String sni = Objects.requireNonNullElse(t.getSni(), "");
    int sniBytes = sni.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    if (sniBytes > 255) {
      // Envoy's limit (a DNS name); it would refuse the cluster.
      throw new FieldException(
          f + ".sni", "at most 255 bytes (a DNS name); this one is " + sniBytes);
    }
    return new ClientTls(
        mode, cert, key, ca, credential, sans, sni, Boolean.TRUE.equals(t.getInsecureSkipVerify()));
  }

  private static Integer positive(Integer v, String f) throws FieldException {
    if (v != null && v < 1) {
      throw new FieldException(f, "must be at least 1");
    }
    return v;
  }

  private static Integer nonNegative(Integer v, String f) throws FieldException {
    if (v != null && v < 0) {
      throw new FieldException(f, "must not be negative");
    }
    return v;
  }

  private static Duration duration(String v, String f) throws FieldException {
    if (v == null) {
      return null;
    }
    Duration d = Durations.parse(v, f);
    if (d.compareTo(Duration.ofMillis(1)) < 0) {
      throw new FieldException(f, "must be at least 1ms");
    }
    return d;
  }
}
