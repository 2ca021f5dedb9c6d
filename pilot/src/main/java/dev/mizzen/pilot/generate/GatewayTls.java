package dev.mizzen.pilot.generate;

import com.google.protobuf.BoolValue;
import dev.mizzen.authz.authn.IstioTls;
import dev.mizzen.ingest.model.GatewaySpec.ServerTls;
import dev.mizzen.ingest.model.GatewaySpec.TlsMode;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsParameters;
import java.util.List;

/**
 * What a gateway server presents and asks of clients when it terminates TLS. A {@code
 * credentialName} is the Secret of the gateway's own namespace, served over ADS as {@code
 * kubernetes://NAME} (and, for client certificates, {@code kubernetes://NAME-cacert}), as istiod
 * serves it; certificate files are read by the proxy itself.
 */
final class GatewayTls {
  private GatewayTls() {}

  static TransportSocket downstream(ServerTls tls, boolean http) {
    List<String> alpn = http ? List.of("h2", "http/1.1") : List.of();
    if (tls.mode() == TlsMode.ISTIO_MUTUAL) {
      return IstioTls.downstream(alpn);
    }
    CommonTlsContext.Builder common = CommonTlsContext.newBuilder().addAllAlpnProtocols(alpn);
    if (!tls.credentialName().isEmpty()) {
      common.addTlsCertificateSdsSecretConfigs(IstioTls.credential(tls.credentialName()));
    } else {
      common.addTlsCertificates(
          TlsCertificate.newBuilder()
              .setCertificateChain(DataSource.newBuilder().setFilename(tls.serverCertificate()))
              .setPrivateKey(DataSource.newBuilder().setFilename(tls.privateKey())));
    }
    TlsParameters.Builder params = TlsParameters.newBuilder();
    if (!tls.minProtocolVersion().isEmpty()) {
      params.setTlsMinimumProtocolVersion(version(tls.minProtocolVersion()));
    }
    if (!tls.maxProtocolVersion().isEmpty()) {
      params.setTlsMaximumProtocolVersion(version(tls.maxProtocolVersion()));
    }
    params.addAllCipherSuites(tls.cipherSuites());
    if (!params.build().equals(TlsParameters.getDefaultInstance())) {
      common.setTlsParams(params);
    }
    boolean verify = tls.mode() == TlsMode.MUTUAL || tls.mode() == TlsMode.OPTIONAL_MUTUAL;
    if (verify) {
      CertificateValidationContext.Builder v =
          CertificateValidationContext.newBuilder()
              .addAllMatchTypedSubjectAltNames(UpstreamTls.dnsNames(tls.subjectAltNames()));
      v.addAllVerifyCertificateSpki(tls.verifyCertificateSpki());
      v.addAllVerifyCertificateHash(tls.verifyCertificateHash());
      UpstreamTls.validation(common, v, tls.credentialName(), tls.caCertificates());
    }
    DownstreamTlsContext ctx =
        DownstreamTlsContext.newBuilder()
            .setCommonTlsContext(common)
            .setRequireClientCertificate(BoolValue.of(tls.mode() == TlsMode.MUTUAL))
            .build();
    return TransportSocket.newBuilder()
        .setName(IstioTls.TRANSPORT_SOCKET)
        .setTypedConfig(Protos.any(ctx))
        .build();
  }

  private static TlsParameters.TlsProtocol version(String v) {
    return switch (v) {
      case "TLSV1_0" -> TlsParameters.TlsProtocol.TLSv1_0;
      case "TLSV1_1" -> TlsParameters.TlsProtocol.TLSv1_1;
      case "TLSV1_2" -> TlsParameters.TlsProtocol.TLSv1_2;
      case "TLSV1_3" -> TlsParameters.TlsProtocol.TLSv1_3;
      default -> TlsParameters.TlsProtocol.TLS_AUTO;
    };
  }
}
