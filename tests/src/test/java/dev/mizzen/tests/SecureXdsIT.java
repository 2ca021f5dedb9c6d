package dev.mizzen.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mizzen.pilot.app.ControlPlane;
import dev.mizzen.pilot.xds.XdsServer;
import io.grpc.ChannelCredentials;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The secure xDS port: mutual TLS, and a proxy's namespace taken from the SPIFFE identity of its
 * verified certificate rather than from what its node says.
 */
class SecureXdsIT {
  @TempDir Path config;
  @TempDir Path pki;

  private Certificates certs;
  private ControlPlane cp;
  private final List<AutoCloseable> streams = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    Files.writeString(
        config.resolve("mesh.yaml"),
        """
        apiVersion: maistra.io/v1
        kind: ServiceMeshMemberRoll
        metadata: {name: default, namespace: istio-system}
        spec: {members: [shop, payments]}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: shop}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: payments}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: catalog, namespace: shop}
        spec:
          ports: [{name: grpc, port: 7070}]
        """);
    certs = new Certificates(pki);
    Certificates.Issued server = certs.server();
    cp =
        ControlPlane.start(
            ControlPlane.Options.forTest(config, "istio-system"),
            null,
            new ControlPlane.SecureXds(
                new InetSocketAddress("127.0.0.1", 0),
                new XdsServer.Tls(
                    server.certificate(), server.privateKey(), certs.caCertificate())));
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable s : streams) {
      s.close();
    }
    cp.close();
  }

  private CdsWatcher sidecar(Certificates.Issued client, String pod, String namespace)
      throws Exception {
    TlsChannelCredentials.Builder creds =
        TlsChannelCredentials.newBuilder().trustManager(certs.caCertificate().toFile());
    if (client != null) {
      creds.keyManager(client.certificate().toFile(), client.privateKey().toFile());
    }
    ChannelCredentials built = creds.build();
    CdsWatcher w =
        new CdsWatcher(
            NettyChannelBuilder.forAddress("127.0.0.1", cp.secureXdsPort(), built).build(),
            pod,
            namespace);
    streams.add(w);
    return w;
  }

  @Test
  void servesAProxyWhoseCertificateNamesItsNamespace() throws Exception {
    CdsWatcher shop =
        sidecar(certs.client("shop", "spiffe://cluster.local/ns/shop/sa/default"), "app-1", "shop");
    MultitenancyIT.await(
        "the shop proxy is served",
        () -> shop.clusters().contains("outbound|7070||catalog.shop.svc.cluster.local"));
  }

  @Test
  void refusesANodeClaimingAnotherNamespace() throws Exception {
    CdsWatcher impostor =
        sidecar(
            certs.client("shop", "spiffe://cluster.local/ns/shop/sa/default"), "app-1", "payments");
    Status status = impostor.awaitClose();
    assertThat(status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(status.getDescription())
        .isEqualTo(
            "node \"sidecar~10.0.0.1~app-1.payments~payments.svc.cluster.local\" claims namespace \"payments\""
                + " but it authenticated as spiffe://cluster.local/ns/shop/sa/default");
    assertThat(impostor.pushes).isEmpty();
  }

  @Test
  void refusesACertificateWithoutASpiffeIdentity() throws Exception {
    CdsWatcher anonymous = sidecar(certs.client("anonymous"), "app-1", "shop");
    Status status = anonymous.awaitClose();
    assertThat(status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(status.getDescription())
        .isEqualTo(
            "the client certificate must carry exactly one SPIFFE URI"
                + " (spiffe://TRUST_DOMAIN/ns/NAMESPACE/sa/SERVICE_ACCOUNT), found []");
  }

  @Test
  void refusesAClientWithoutACertificate() throws Exception {
    CdsWatcher none = sidecar(null, "app-1", "shop");
    assertThat(none.awaitClose().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(none.pushes).isEmpty();
  }

  @Test
  void theIdentityDecidesMembershipToo() throws Exception {
    CdsWatcher outsider =
        sidecar(
            certs.client("legacy", "spiffe://cluster.local/ns/legacy/sa/default"),
            "app-1",
            "legacy");
    Status status = outsider.awaitClose();
    assertThat(status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(status.getDescription()).startsWith("namespace \"legacy\" is not a member");
  }
}
