package dev.mizzen.ingest.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An Istio Gateway: what the router proxies its selector picks listen for.
 *
 * @param selector the labels of the router proxies it configures; empty picks every router
 * @param servers what to listen for, by port
 */
public record GatewaySpec(Map<String, String> selector, List<Server> servers) implements Spec {

  public GatewaySpec {
    selector = Map.copyOf(selector);
    servers = List.copyOf(servers);
  }

  /**
   * One server: a port, its protocol, the hosts served on it and how TLS is handled.
   *
   * @param number the port number listened on
   * @param portName the port's name, unique in the Gateway
   * @param protocol the protocol of the port
   * @param hosts the hosts served, as written ({@code [namespace/]host}, where namespace is {@code
   *     *}, {@code .} or a name)
   * @param tls how TLS is handled, null for none
   * @param name the server's name, empty when unnamed
   * @param bind the address listened on, empty for every address
   */
  public record Server(
      int number,
      String portName,
      Protocol protocol,
      List<String> hosts,
      ServerTls tls,
      String name,
      String bind) {
    public Server {
      Objects.requireNonNull(portName);
      Objects.requireNonNull(protocol);
      hosts = List.copyOf(hosts);
      Objects.requireNonNull(name);
      Objects.requireNonNull(bind);
    }

    /** Whether the gateway terminates TLS on this server (HTTPS or TLS, not passed through). */
    public boolean terminatesTls() {
      return tls != null
          && tls.mode() != TlsMode.PASSTHROUGH
          && tls.mode() != TlsMode.AUTO_PASSTHROUGH
          && (protocol == Protocol.HTTPS || protocol == Protocol.TLS);
    }
  }

  /** Istio's server TLS modes. */
  public enum TlsMode {
    PASSTHROUGH,
    SIMPLE,
    MUTUAL,
    AUTO_PASSTHROUGH,
    ISTIO_MUTUAL,
    OPTIONAL_MUTUAL
  }

  /**
   * How a server handles TLS.
   *
   * @param httpsRedirect whether plain HTTP requests are redirected to HTTPS
   * @param mode the mode; SIMPLE when only httpsRedirect is written
   * @param credentialName the Secret holding the certificate, key (and for MUTUAL the roots), or
   *     empty
   * @param serverCertificate the certificate file, or empty
   * @param privateKey its key file, or empty
   * @param caCertificates the file of roots client certificates are checked against, or empty
   * @param subjectAltNames names a client certificate must carry
   * @param verifyCertificateSpki base64 SHA-256 hashes of the SPKIs a client certificate may have
   * @param verifyCertificateHash hex SHA-256 hashes a client certificate may have
   * @param minProtocolVersion "TLSV1_0" to "TLSV1_3", or empty for Envoy's default
   * @param maxProtocolVersion "TLSV1_0" to "TLSV1_3", or empty for Envoy's default
   * @param cipherSuites cipher suites allowed, empty for Envoy's default
   */
  public record ServerTls(
      boolean httpsRedirect,
      TlsMode mode,
      String credentialName,
      String serverCertificate,
      String privateKey,
      String caCertificates,
      List<String> subjectAltNames,
      List<String> verifyCertificateSpki,
      List<String> verifyCertificateHash,
      String minProtocolVersion,
      String maxProtocolVersion,
      List<String> cipherSuites) {
    public ServerTls {
      Objects.requireNonNull(mode);
      Objects.requireNonNull(credentialName);
      Objects.requireNonNull(serverCertificate);
      Objects.requireNonNull(privateKey);
      Objects.requireNonNull(caCertificates);
      subjectAltNames = List.copyOf(subjectAltNames);
      verifyCertificateSpki = List.copyOf(verifyCertificateSpki);
      verifyCertificateHash = List.copyOf(verifyCertificateHash);
      Objects.requireNonNull(minProtocolVersion);
      Objects.requireNonNull(maxProtocolVersion);
      cipherSuites = List.copyOf(cipherSuites);
    }
  }
}
