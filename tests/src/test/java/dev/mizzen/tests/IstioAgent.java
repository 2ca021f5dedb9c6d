package dev.mizzen.tests;

import dev.mizzen.ca.CertificateService;
import dev.mizzen.proto.istio.ca.IstioCertificateRequest;
import dev.mizzen.tenancy.controller.CaSecrets;
import dev.mizzen.testing.kube.MockApiServer;
import dev.mizzen.testing.pki.Bearer;
import dev.mizzen.testing.pki.Csrs;
import io.fabric8.kubernetes.api.model.Secret;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/** What Istio's agent does with Mizzen's CA, for the tests that play it. */
final class IstioAgent {
  /** The name the secure port's certificate carries for the control plane of istio-system. */
  static final String SERVER_NAME = "mizzen.istio-system.svc";

  private IstioAgent() {}

  /** The root Mizzen's CA keeps in istio-ca-secret (what the member controller publishes). */
  static String root(MockApiServer api) {
    Secret s =
        api.client().secrets().inNamespace("istio-system").withName(CaSecrets.SELF_SIGNED).get();
    Objects.requireNonNull(s, "the root is kept in istio-ca-secret");
    return CaSecrets.text(s).get("root-cert.pem");
  }

  /**
   * A certificate for {@code spiffe} and {@code key}, bought with {@code token} on the secure port
   * at {@code port}, trusting {@code root}: the chain, leaf first.
   */
  static List<String> certificate(int port, String root, String token, KeyPair key, String spiffe)
      throws Exception {
    ManagedChannel ca =
        Grpc.newChannelBuilderForAddress(
                "127.0.0.1",
                port,
                TlsChannelCredentials.newBuilder()
                    .trustManager(
                        new ByteArrayInputStream(root.getBytes(StandardCharsets.US_ASCII)))
                    .build())
            .overrideAuthority(SERVER_NAME)
            .build();
    try {
      return ClientCalls.blockingUnaryCall(
              ca,
              CertificateService.CREATE,
              CallOptions.DEFAULT
                  .withDeadlineAfter(10, TimeUnit.SECONDS)
                  .withCallCredentials(Bearer.credentials(token)),
              IstioCertificateRequest.newBuilder().setCsr(Csrs.csr(key, spiffe)).build())
          .getCertChainList();
    } finally {
      ca.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
