package dev.mizzen.ingest.model;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An Istio DestinationRule: policies and subsets for one host.
 *
 * @param host the service host, as written (a short name is relative to the rule's namespace)
 * @param trafficPolicy the policy of every port and subset, null for none
 * @param subsets named groups of endpoints, chosen by labels
 * @param exportTo namespaces the rule is visible to; empty means all
 */
public record DestinationRuleSpec(
    String host, TrafficPolicy trafficPolicy, List<Subset> subsets, List<String> exportTo)
    implements Spec {

  public DestinationRuleSpec {
    Objects.requireNonNull(host, "host");
    subsets = List.copyOf(subsets);
    exportTo = List.copyOf(exportTo);
  }

  public DestinationRuleSpec(String host, List<Subset> subsets, List<String> exportTo) {
    this(host, null, subsets, exportTo);
  }

  public Optional<Subset> subset(String name) {
    return subsets.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  /**
   * A named subset of a service's endpoints.
   *
   * @param name the subset's name
   * @param labels the labels its endpoints' pods must carry
   * @param trafficPolicy its own policy, overriding the rule's part by part; null for none
   */
  public record Subset(String name, Map<String, String> labels, TrafficPolicy trafficPolicy) {
    public Subset {
      Objects.requireNonNull(name, "name");
      labels = Map.copyOf(labels);
    }

    public Subset(String name, Map<String, String> labels) {
      this(name, labels, null);
    }
  }

  /**
   * How clients treat the endpoints: each part null when not written.
   *
   * @param loadBalancer how an endpoint is picked
   * @param connectionPool limits on connections and requests
   * @param outlierDetection when endpoints are ejected
   * @param tls how connections are secured
   * @param portLevelSettings overrides for single ports (empty inside one)
   */
  public record TrafficPolicy(
      LoadBalancer loadBalancer,
      ConnectionPool connectionPool,
      OutlierDetection outlierDetection,
      ClientTls tls,
      List<PortPolicy> portLevelSettings) {
    public TrafficPolicy {
      portLevelSettings = List.copyOf(portLevelSettings);
    }

    /**
     * This policy with every part {@code override} writes replacing this one's, as Istio merges.
     */
    public TrafficPolicy overriddenBy(TrafficPolicy override) {
      if (override == null) {
        return this;
      }
      return new TrafficPolicy(
          override.loadBalancer != null ? override.loadBalancer : loadBalancer,
          override.connectionPool != null ? override.connectionPool : connectionPool,
          override.outlierDetection != null ? override.outlierDetection : outlierDetection,
          override.tls != null ? override.tls : tls,
          List.of());
    }

    /** The settings of one port, with the port-level ones applied. */
    public TrafficPolicy forPort(int port) {
      for (PortPolicy p : portLevelSettings) {
        if (p.port() == port) {
          return new TrafficPolicy(loadBalancer, connectionPool, outlierDetection, tls, List.of())
              .overriddenBy(
                  new TrafficPolicy(
                      p.loadBalancer(),
                      p.connectionPool(),
                      p.outlierDetection(),
                      p.tls(),
                      List.of()));
        }
      }
      return portLevelSettings.isEmpty()
          ? this
          : new TrafficPolicy(loadBalancer, connectionPool, outlierDetection, tls, List.of());
    }
  }

  /**
   * The policy of one port.
   *
   * @param port the service port number
   */
  public record PortPolicy(
      int port,
      LoadBalancer loadBalancer,
      ConnectionPool connectionPool,
      OutlierDetection outlierDetection,
      ClientTls tls) {}

  /** Istio's simple load balancers. */
  public enum SimpleLb {
    ROUND_ROBIN,
    LEAST_CONN,
    LEAST_REQUEST,
    RANDOM,
    PASSTHROUGH
  }

  /**
   * How an endpoint is picked: a simple policy, or a consistent hash of part of the request.
   *
   * @param simple the simple policy, null for a consistent hash (or Istio's default)
   * @param hash the consistent hash, null for a simple policy
   */
  public record LoadBalancer(SimpleLb simple, ConsistentHash hash) {}

  /**
   * A consistent hash: exactly one of header, cookie, source IP and query parameter.
   *
   * @param httpHeaderName hash this request header, or empty
   * @param cookieName hash this cookie, or empty
   * @param cookiePath the path of the cookie generated when missing
   * @param cookieTtl how long a generated cookie lives, null for a session cookie
   * @param useSourceIp hash the client's IP address
   * @param queryParameter hash this query parameter, or empty
   * @param maglevTableSize use Maglev with this table size, 0 for a ring hash
   * @param minimumRingSize the ring hash's minimum size, 0 for Envoy's default
   */
  public record ConsistentHash(
      String httpHeaderName,
      String cookieName,
      String cookiePath,
      Duration cookieTtl,
      boolean useSourceIp,
      String queryParameter,
      long maglevTableSize,
      long minimumRingSize) {
    public ConsistentHash {
      Objects.requireNonNull(httpHeaderName);
      Objects.requireNonNull(cookieName);
      Objects.requireNonNull(cookiePath);
      Objects.requireNonNull(queryParameter);
    }
  }

  /**
   * Limits on connections and requests; each value null when not written.
   *
   * @param maxConnections TCP: the most connections to a host
   * @param connectTimeout TCP: how long to wait for a connection
   * @param tcpKeepaliveProbes TCP keepalive: probes before giving up
   * @param tcpKeepaliveTime TCP keepalive: idle time before probing
   * @param tcpKeepaliveInterval TCP keepalive: time between probes
   * @param maxConnectionDuration TCP: the longest a connection lives
   * @param tcpIdleTimeout TCP: how long an idle connection is kept
   * @param http1MaxPendingRequests HTTP: the most requests waiting for a connection
   * @param http2MaxRequests HTTP: the most requests in flight to a host
   * @param maxRequestsPerConnection HTTP: requests per connection before it is closed
   * @param maxRetries HTTP: the most retries in flight
   * @param httpIdleTimeout HTTP: how long a connection without requests is kept
   * @param h2UpgradePolicy HTTP: "UPGRADE", "DO_NOT_UPGRADE", or null for the default
   * @param useClientProtocol HTTP: speak upstream what the client spoke
   * @param maxConcurrentStreams HTTP/2: the most streams per connection
   */
  public record ConnectionPool(
      Integer maxConnections,
      Duration connectTimeout,
      Integer tcpKeepaliveProbes,
      Duration tcpKeepaliveTime,
      Duration tcpKeepaliveInterval,
      Duration maxConnectionDuration,
      Duration tcpIdleTimeout,
      Integer http1MaxPendingRequests,
      Integer http2MaxRequests,
      Integer maxRequestsPerConnection,
      Integer maxRetries,
      Duration httpIdleTimeout,
      String h2UpgradePolicy,
      Boolean useClientProtocol,
      Integer maxConcurrentStreams) {

    /** Whether the TCP keepalive is asked for. */
    public boolean keepalive() {
      return tcpKeepaliveProbes != null || tcpKeepaliveTime != null || tcpKeepaliveInterval != null;
    }
  }

  /**
   * When endpoints are ejected; each value null when not written.
   *
   * @param consecutive5xxErrors 5xx (or connection) errors in a row that eject a host
   * @param consecutiveGatewayErrors 502, 503 and 504 answers in a row that eject a host
   * @param consecutiveLocalOriginFailures local failures in a row that eject a host
   * @param splitExternalLocalOriginErrors whether local failures are counted apart
   * @param interval time between sweeps
   * @param baseEjectionTime the shortest ejection
   * @param maxEjectionPercent the largest share of hosts ejected at once
   * @param minHealthPercent below this share of healthy hosts, nobody is ejected
   */
  public record OutlierDetection(
      Integer consecutive5xxErrors,
      Integer consecutiveGatewayErrors,
      Integer consecutiveLocalOriginFailures,
      Boolean splitExternalLocalOriginErrors,
      Duration interval,
      Duration baseEjectionTime,
      Integer maxEjectionPercent,
      Integer minHealthPercent) {}

  /** Istio's client TLS modes. */
  public enum TlsMode {
    DISABLE,
    SIMPLE,
    MUTUAL,
    ISTIO_MUTUAL
  }

  /**
   * How a client secures its connections.
   *
   * @param mode the mode
   * @param clientCertificate the client certificate file (MUTUAL), or empty
   * @param privateKey its key file, or empty
   * @param caCertificates the file of roots the server certificate is checked against, or empty
   * @param credentialName the Secret holding the client's certificate, key and roots (gateways
   *     only), or empty
   * @param subjectAltNames names the server certificate must carry
   * @param sni the server name sent, or empty
   * @param insecureSkipVerify whether the server certificate is not checked
   */
  public record ClientTls(
      TlsMode mode,
      String clientCertificate,
      String privateKey,
      String caCertificates,
      String credentialName,
      List<String> subjectAltNames,
      String sni,
      boolean insecureSkipVerify) {
    public ClientTls {
      Objects.requireNonNull(mode);
      Objects.requireNonNull(clientCertificate);
      Objects.requireNonNull(privateKey);
      Objects.requireNonNull(caCertificates);
      Objects.requireNonNull(credentialName);
      subjectAltNames = List.copyOf(subjectAltNames);
      Objects.requireNonNull(sni);
    }
  }
}
