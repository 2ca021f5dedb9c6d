package dev.mizzen.authz.authn;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateProviderPluginInstance;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.List;

/**
 * Istio mutual TLS as a proxy is told to use it: the workload certificate is SDS secret {@code
 * default} and the trusted roots are SDS secret {@code ROOTCA}, both from the Istio agent beside
 * the proxy (cluster {@code sds-grpc} of its bootstrap). Proxyless gRPC gets the same two from the
 * certificate provider instance {@code default} of its bootstrap instead, as gRPC has no SDS.
 */
public final class IstioTls {
  public static final String TRANSPORT_SOCKET = "envoy.transport_sockets.tls";
  public static final String CERTIFICATE = "default";
  public static final String ROOT_CA = "ROOTCA";
  static final String SDS_CLUSTER = "sds-grpc";

  private static final ConfigSource SDS =
      ConfigSource.newBuilder()
          .setApiConfigSource(
              ApiConfigSource.newBuilder()
                  .setApiType(ApiConfigSource.ApiType.GRPC)
                  .setSetNodeOnFirstMessageOnly(true)
                  .setTransportApiVersion(ApiVersion.V3)
                  .addGrpcServices(
                      GrpcService.newBuilder()
                          .setEnvoyGrpc(
                              GrpcService.EnvoyGrpc.newBuilder().setClusterName(SDS_CLUSTER))))
          .setResourceApiVersion(ApiVersion.V3)
          .build();

  private IstioTls() {}

  /**
   * Secrets named by {@code credentialName} come over the proxy's ADS stream from the control plane
   * (Istio's agent forwards them), with Envoy's default initial fetch timeout, so that a Secret
   * that does not exist does not hold back the whole listener or cluster.
   */
  private static final ConfigSource ADS =
      ConfigSource.newBuilder()
          .setAds(AggregatedConfigSource.getDefaultInstance())
          .setResourceApiVersion(ApiVersion.V3)
          .build();

  /** How the resource names of Secrets named by {@code credentialName} begin. */
  public static final String CREDENTIAL_PREFIX = "kubernetes://";

  /** What the roots of a {@code credentialName} are named: {@code kubernetes://NAME-cacert}. */
  public static final String CA_SUFFIX = "-cacert";

  /**
   * A secret the Istio agent beside the proxy serves over SDS from its own files: {@code default}
   * (the workload certificate) and {@code ROOTCA}.
   */
  public static SdsSecretConfig agentSecret(String name) {
    return SdsSecretConfig.newBuilder().setName(name).setSdsConfig(SDS).build();
  }

  /**
   * The certificate and key of the Kubernetes Secret {@code credentialName} of the proxy's own
   * namespace, served over ADS as {@code kubernetes://NAME}.
   */
  public static SdsSecretConfig credential(String credentialName) {
    return SdsSecretConfig.newBuilder()
        .setName(CREDENTIAL_PREFIX + credentialName)
        .setSdsConfig(ADS)
        .build();
  }

  /**
   * The roots of {@code credentialName}, served over ADS as {@code kubernetes://NAME-cacert}: from
   * the Secret {@code NAME-cacert}, else from {@code NAME} itself.
   */
  public static SdsSecretConfig credentialRoots(String credentialName) {
    return SdsSecretConfig.newBuilder()
        .setName(CREDENTIAL_PREFIX + credentialName + CA_SUFFIX)
        .setSdsConfig(ADS)
        .build();
  }

  /** What an inbound chain of a sidecar presents and requires: a peer certificate. */
  public static TransportSocket downstream(List<String> alpn) {
    DownstreamTlsContext tls =
        DownstreamTlsContext.newBuilder()
            .setCommonTlsContext(sdsContext(List.of()).addAllAlpnProtocols(alpn))
            .setRequireClientCertificate(BoolValue.of(true))
            .build();
    return socket(Any.pack(tls));
  }

  /**
   * What a proxyless gRPC server presents and requires, from its certificate provider. The roots go
   * in a plain validation context: Envoy's rules refuse a combined one without an SDS config.
   */
  public static TransportSocket grpcDownstream() {
    CommonTlsContext common =
        CommonTlsContext.newBuilder()
            .setTlsCertificateProviderInstance(
                CertificateProviderPluginInstance.newBuilder()
                    .setInstanceName(CERTIFICATE)
                    .setCertificateName(CERTIFICATE))
            .setValidationContext(
                CertificateValidationContext.newBuilder()
                    .setCaCertificateProviderInstance(
                        CertificateProviderPluginInstance.newBuilder()
                            .setInstanceName(CERTIFICATE)
                            .setCertificateName(ROOT_CA)))
            .build();
    DownstreamTlsContext tls =
        DownstreamTlsContext.newBuilder()
            .setCommonTlsContext(common)
            .setRequireClientCertificate(BoolValue.of(true))
            .build();
    return socket(Any.pack(tls));
  }

  /**
   * What a proxyless gRPC client presents and checks towards a mutual TLS workload: the same as
   * {@link #upstream}, from its certificate provider instance {@code default}.
   */
  public static TransportSocket grpcUpstream(String sni, List<String> identities) {
    CommonTlsContext common =
        CommonTlsContext.newBuilder()
            .setTlsCertificateProviderInstance(
                CertificateProviderPluginInstance.newBuilder()
                    .setInstanceName(CERTIFICATE)
                    .setCertificateName(CERTIFICATE))
            .setValidationContext(
                CertificateValidationContext.newBuilder()
                    .addAllMatchTypedSubjectAltNames(sans(identities))
                    .setCaCertificateProviderInstance(
                        CertificateProviderPluginInstance.newBuilder()
                            .setInstanceName(CERTIFICATE)
                            .setCertificateName(ROOT_CA)))
            .build();
    return socket(
        Any.pack(UpstreamTlsContext.newBuilder().setCommonTlsContext(common).setSni(sni).build()));
  }

  /**
   * What an outbound cluster to a mutual TLS workload presents and checks.
   *
   * @param sni Istio's server name for the cluster, {@code outbound_.PORT_.SUBSET_.HOST}
   * @param identities the SPIFFE identities the server may have; empty accepts any the root signed
   */
  public static TransportSocket upstream(String sni, List<String> identities) {
    List<SubjectAltNameMatcher> sans = sans(identities);
    UpstreamTlsContext tls =
        UpstreamTlsContext.newBuilder()
            .setCommonTlsContext(
                sdsContext(sans).addAlpnProtocols("istio-peer-exchange").addAlpnProtocols("istio"))
            .setSni(sni)
            .build();
    return socket(Any.pack(tls));
  }

  private static List<SubjectAltNameMatcher> sans(List<String> identities) {
    return identities.stream()
        .map(
            id ->
                SubjectAltNameMatcher.newBuilder()
                    .setSanType(SubjectAltNameMatcher.SanType.URI)
                    .setMatcher(StringMatcher.newBuilder().setExact(id))
                    .build())
        .toList();
  }

  private static CommonTlsContext.Builder sdsContext(List<SubjectAltNameMatcher> sans) {
    return CommonTlsContext.newBuilder()
        .addTlsCertificateSdsSecretConfigs(agentSecret(CERTIFICATE))
        .setCombinedValidationContext(
            CommonTlsContext.CombinedCertificateValidationContext.newBuilder()
                .setDefaultValidationContext(
                    CertificateValidationContext.newBuilder().addAllMatchTypedSubjectAltNames(sans))
                .setValidationContextSdsSecretConfig(agentSecret(ROOT_CA)));
  }

  private static TransportSocket socket(Any config) {
    return TransportSocket.newBuilder().setName(TRANSPORT_SOCKET).setTypedConfig(config).build();
  }
}
