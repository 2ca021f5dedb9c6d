package dev.mizzen.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mizzen.proto.istio.ca.IstioCertificateRequest;
import dev.mizzen.testing.kube.MockApiServer;
import dev.mizzen.testing.pki.Bearer;
import dev.mizzen.testing.pki.Csrs;
import io.grpc.CallOptions;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.stub.ClientCalls;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Istio's certificate service over TLS on 127.0.0.1, as an agent calls it: with a service-account
 * token that the test API server reviews, or with a certificate this CA issued.
 */
class CertificateServiceTest {
  private static final String SPIFFE = "spiffe://cluster.local/ns/a/sa/client";
  private static final SigningKeys ROOT =
      SigningKeys.selfSigned("cluster.local", Duration.ofDays(3650), Clock.systemUTC());
  private static final CertificateAuthority CA = CertificateAuthority.of(ROOT, "cluster.local");

  private static MockApiServer api;
  private static Server server;
  private static CaMetrics metrics;
  private static SimpleMeterRegistry registry;

  @BeforeAll
  static void start() throws Exception {
    api = new MockApiServer();
    registry = new SimpleMeterRegistry();
    metrics =
        new CaMetrics().register(registry, ROOT.root().getNotAfter().toInstant().getEpochSecond());
    Callers callers =
        new Callers(
            Optional.of(Callers.tokenReview(api.client())),
            ROOT,
            "cluster.local",
            Set.of("a", "istio-system")::contains,
            Clock.systemUTC());
    CertificateAuthority.ServingCertificate serving =
        CA.serving(List.of("localhost", "mizzen.istio-system.svc"), Duration.ofHours(1));
    ServerCredentials tls =
        TlsServerCredentials.newBuilder()
            .keyManager(stream(serving.chainPem()), stream(serving.keyPem()))
            .trustManager(stream(ROOT.rootPem()))
            .clientAuth(TlsServerCredentials.ClientAuth.OPTIONAL)
            .build();
    server =
        Grpc.newServerBuilderForPort(0, tls)
            .addService(new CertificateService(CA, callers, metrics).definition())
            .build()
            .start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (api != null) {
      api.close();
    }
  }

  private static ByteArrayInputStream stream(String pem) {
    return new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII));
  }

  /** Asks for a certificate; {@code clientChain} and {@code clientKey} for mutual TLS. */
  private static List<String> ask(String token, String csr, String clientChain, String clientKey)
      throws Exception {
    TlsChannelCredentials.Builder tls =
        TlsChannelCredentials.newBuilder().trustManager(stream(ROOT.rootPem()));
    if (clientChain != null) {
      tls.keyManager(stream(clientChain), stream(clientKey));
    }
    ChannelCredentials credentials = tls.build();
    ManagedChannel channel =
        Grpc.newChannelBuilderForAddress("localhost", server.getPort(), credentials).build();
    try {
      CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS);
      if (token != null) {
        options = options.withCallCredentials(Bearer.credentials(token));
      }
      return ClientCalls.blockingUnaryCall(
              channel,
              CertificateService.CREATE,
              options,
              IstioCertificateRequest.newBuilder().setCsr(csr).build())
          .getCertChainList();
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static Status.Code codeOf(ThrowingCall call) {
    try {
      call.run();
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("the call succeeded");
  }

  interface ThrowingCall {
    void run() throws Exception;
  }

  private static double gauge(String name) {
    return registry.get(name).gauge().value();
  }

  @Test
  void aServiceAccountTokenGetsItsIdentityAndTheCertificateRenewsItself() throws Exception {
    double issuedBefore = gauge("citadel_server_success_cert_issuance_count");
    KeyPair key = Csrs.ec("secp256r1");
    String token = api.serviceAccountToken("a", "client", Callers.AUDIENCE);
    List<String> chain = ask(token, Csrs.csr(key, SPIFFE), null, null);
    X509Certificate leaf = CertificateAuthorityTest.certificate(chain.get(0));
    assertThat(leaf.getSubjectAlternativeNames()).containsExactly(List.of(6, SPIFFE));
    assertThat(CertificateAuthorityTest.certificate(chain.get(chain.size() - 1)))
        .isEqualTo(ROOT.root());

    // Renewal over mutual TLS with the certificate just issued, no token.
    KeyPair next = Csrs.ec("secp256r1");
    String keyPem = SigningKeys.pem(List.of(key.getPrivate()));
    List<String> renewed = ask(null, Csrs.csr(next, SPIFFE), String.join("", chain), keyPem);
    assertThat(CertificateAuthorityTest.certificate(renewed.get(0)).getPublicKey())
        .isEqualTo(next.getPublic());
    assertThat(gauge("citadel_server_success_cert_issuance_count")).isEqualTo(issuedBefore + 2);
  }

  @Test
  void aCertificateCannotBeRenewedIntoAnotherIdentity() throws Exception {
    KeyPair key = Csrs.rsa(2048);
    String token = api.serviceAccountToken("a", "client", Callers.AUDIENCE);
    List<String> chain = ask(token, Csrs.csr(key, SPIFFE), null, null);
    String keyPem = SigningKeys.pem(List.of(key.getPrivate()));
    assertThatThrownBy(
            () ->
                ask(
                    null,
                    Csrs.csr(Csrs.rsa(2048), "spiffe://cluster.local/ns/a/sa/admin"),
                    String.join("", chain),
                    keyPem))
        .isInstanceOf(StatusRuntimeException.class)
        .hasMessageContaining("PERMISSION_DENIED")
        .hasMessageContaining("URI:spiffe://cluster.local/ns/a/sa/admin, which is not allowed");
  }

  @Test
  void tokensOfOtherTenantsOtherAudiencesOrNoneAreRefused() throws Exception {
    double failuresBefore = gauge("citadel_server_authentication_failure_count");
    double issuedBefore = gauge("citadel_server_success_cert_issuance_count");
    String csr = Csrs.csr(Csrs.rsa(2048), "spiffe://cluster.local/ns/b/sa/client");
    String otherTenant = api.serviceAccountToken("b", "client", Callers.AUDIENCE);
    assertThatThrownBy(() -> ask(otherTenant, csr, null, null))
        .hasMessageContaining("PERMISSION_DENIED")
        .hasMessageContaining("namespace \"b\" is not a member of this control plane's mesh");

    String mine = Csrs.csr(Csrs.rsa(2048), SPIFFE);
    String apiAudience = api.serviceAccountToken("a", "client", "https://kubernetes.default.svc");
    assertThatThrownBy(() -> ask(apiAudience, mine, null, null))
        .hasMessageContaining("UNAUTHENTICATED")
        .hasMessageContaining("is invalid for the target audiences [\"istio-ca\"]");
    assertThat(codeOf(() -> ask("eyJhbGciOiJSUzI1NiJ9.e30.unknown", mine, null, null)))
        .isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThatThrownBy(() -> ask("not-a-jwt", mine, null, null))
        .hasMessageContaining("the bearer token is not a JSON Web Token");
    assertThatThrownBy(() -> ask(null, mine, null, null))
        .hasMessageContaining("UNAUTHENTICATED: no credentials");

    assertThat(gauge("citadel_server_authentication_failure_count")).isEqualTo(failuresBefore + 4);
    assertThat(gauge("citadel_server_success_cert_issuance_count")).isEqualTo(issuedBefore);
  }

  @Test
  void aCertificateFromAnotherRootDoesNotGetThrough() throws Exception {
    SigningKeys otherRoot =
        SigningKeys.selfSigned("cluster.local", Duration.ofDays(30), Clock.systemUTC());
    KeyPair key = Csrs.rsa(2048);
    List<String> foreign =
        CertificateAuthority.of(otherRoot, "cluster.local")
            .issue(new WorkloadIdentity("a", "client"), Csrs.csr(key, SPIFFE), 0);
    String keyPem = SigningKeys.pem(List.of(key.getPrivate()));
    assertThat(
            codeOf(
                () ->
                    ask(null, Csrs.csr(Csrs.rsa(2048), SPIFFE), String.join("", foreign), keyPem)))
        .isEqualTo(Status.Code.UNAVAILABLE);
  }
}
