package dev.mizzen.pilot.generate;

import dev.mizzen.authz.authn.IstioTls;
import dev.mizzen.ingest.model.DestinationRuleSpec.ClientTls;
import dev.mizzen.ingest.model.ServiceSpec.ServicePort;
import dev.mizzen.pilot.push.MeshService;
import dev.mizzen.pilot.push.PushContext;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.List;
import java.util.Optional;

/**
 * The TLS a cluster originates: the DestinationRule's mode when it sets one (DISABLE, SIMPLE,
 * MUTUAL, ISTIO_MUTUAL), else Istio's automatic mutual TLS ({@link OutboundTls}, which the
 * authentication policies drive).
 */
final class UpstreamTls {
  /** Where Istio's proxy image keeps the system's roots, used when SIMPLE names none. */
  static final String SYSTEM_ROOTS = "/etc/ssl/certs/ca-certificates.crt";

  /**
   * @param socket the transport socket, empty for plain text
   * @param unusable whether the client cannot originate the TLS asked for, so it must not call the
   *     cluster at all (proxyless gRPC has no files nor Secrets)
   */
  record Decision(Optional<TransportSocket> socket, boolean unusable) {
    static final Decision PLAIN = new Decision(Optional.empty(), false);
  }

  private final OutboundTls auto;

  UpstreamTls(PushContext push) {
    this.auto = new OutboundTls(push);
  }

  Decision decide(MeshService s, ServicePort p, String subset, ClientTls tls, boolean forGrpc) {
    String sni = ClusterNames.sni(p.port(), subset, s.hostname());
    if (tls == null) {
      return forGrpc ? Decision.PLAIN : new Decision(auto.forCluster(s, p, subset), false);
    }
    switch (tls.mode()) {
      case DISABLE -> {
        return Decision.PLAIN;
      }
      case ISTIO_MUTUAL -> {
        List<String> sans =
            tls.subjectAltNames().isEmpty() ? auto.identities(s, p) : tls.subjectAltNames();
        String name = tls.sni().isEmpty() ? sni : tls.sni();
        return new Decision(
            Optional.of(
                forGrpc ? IstioTls.grpcUpstream(name, sans) : IstioTls.upstream(name, sans)),
            false);
      }
      default -> {
        if (forGrpc) {
          return new Decision(Optional.empty(), true);
        }
        return new Decision(Optional.of(originate(s, p, tls)), false);
      }
    }
  }

  /** SIMPLE and MUTUAL: TLS to a server outside Istio's identities. */
  private static TransportSocket originate(MeshService s, ServicePort p, ClientTls tls) {
    CommonTlsContext.Builder common = CommonTlsContext.newBuilder();
    if (!tls.credentialName().isEmpty()) {
      // The Secret's certificate and roots come over ADS, from the proxy's own namespace.
      common.addTlsCertificateSdsSecretConfigs(IstioTls.credential(tls.credentialName()));
    } else if (!tls.clientCertificate().isEmpty()) {
      common.addTlsCertificates(
          TlsCertificate.newBuilder()
              .setCertificateChain(DataSource.newBuilder().setFilename(tls.clientCertificate()))
              .setPrivateKey(DataSource.newBuilder().setFilename(tls.privateKey())));
    }
    if (!tls.insecureSkipVerify()) {
      CertificateValidationContext.Builder v =
          CertificateValidationContext.newBuilder()
              .addAllMatchTypedSubjectAltNames(dnsNames(tls.subjectAltNames()));
      validation(
          common,
          v,
          tls.credentialName(),
          tls.caCertificates().isEmpty() ? SYSTEM_ROOTS : tls.caCertificates());
    }
    if (p.protocol().isHttp2()) {
      common.addAlpnProtocols("h2");
    }
    UpstreamTlsContext.Builder ctx = UpstreamTlsContext.newBuilder().setCommonTlsContext(common);
    String sni = tls.sni().isEmpty() && !s.hostname().startsWith("*") ? s.hostname() : tls.sni();
    if (!sni.isEmpty()) {
      ctx.setSni(sni);
    }
    return TransportSocket.newBuilder()
        .setName(IstioTls.TRANSPORT_SOCKET)
        .setTypedConfig(Protos.any(ctx.build()))
        .build();
  }

  /**
   * Sets how a peer's certificate is checked: against the roots of the Secret {@code
   * credentialName} served over ADS ({@code kubernetes://NAME-cacert}) when it is given, else
   * against the roots in {@code caFile}.
   */
  static void validation(
      CommonTlsContext.Builder common,
      CertificateValidationContext.Builder v,
      String credentialName,
      String caFile) {
    if (!credentialName.isEmpty()) {
      common.setCombinedValidationContext(
          CommonTlsContext.CombinedCertificateValidationContext.newBuilder()
              .setDefaultValidationContext(v)
              .setValidationContextSdsSecretConfig(IstioTls.credentialRoots(credentialName)));
    } else {
      common.setValidationContext(v.setTrustedCa(DataSource.newBuilder().setFilename(caFile)));
    }
  }

  /** Certificate names (DNS subject alternative names) a peer's certificate must carry one of. */
  static List<SubjectAltNameMatcher> dnsNames(List<String> names) {
    return names.stream()
        .map(
            n ->
                SubjectAltNameMatcher.newBuilder()
                    .setSanType(SubjectAltNameMatcher.SanType.DNS)
                    .setMatcher(StringMatcher.newBuilder().setExact(n))
                    .build())
        .toList();
  }
}
