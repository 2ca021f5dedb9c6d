package dev.mizzen.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mizzen.ca.CertificateAuthority;
import dev.mizzen.ca.SigningKeys;
import dev.mizzen.ca.WorkloadIdentity;
import dev.mizzen.ingest.kube.WatchScope;
import dev.mizzen.pilot.app.ControlPlane;
import dev.mizzen.testing.kube.MockApiServer;
import dev.mizzen.testing.mesh.MeshYaml;
import dev.mizzen.testing.pki.Bearer;
import dev.mizzen.testing.pki.Csrs;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mizzen as the mesh's CA in a cluster, as Istio's agent meets it: no certificate files are given;
 * the root is made once and kept in the Secret istio-ca-secret, the secure port serves a
 * certificate the CA issued for the Service's name, a service-account token buys a workload
 * certificate, and that certificate opens an ADS stream on the same port for its own namespace.
 */
class WorkloadCertificateIT {
  private static final String SERVER_NAME = IstioAgent.SERVER_NAME;
  private static final String SPIFFE = "spiffe://cluster.local/ns/shop/sa/default";

  private MockApiServer api;
  private final List<ControlPlane> planes = new ArrayList<>();
  private final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeEach
  void cluster() {
    api = new MockApiServer();
    for (String ns : List.of("istio-system", "shop", "other")) {
      api.create("apiVersion: v1\nkind: Namespace\nmetadata: {name: " + ns + "}\n");
    }
    api.create(
        """
        apiVersion: maistra.io/v1
        kind: ServiceMeshMemberRoll
        metadata: {name: default, namespace: istio-system}
        spec: {members: [shop]}
        """);
    api.configure("istio-system", "default", List.of("shop"));
    api.create(
        """
        apiVersion: v1
        kind: Service
        metadata: {name: catalog, namespace: shop}
        spec:
          clusterIP: 10.96.0.20
          ports: [{name: grpc, port: 7070}]
        """);
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
    planes.forEach(ControlPlane::close);
    api.close();
  }

  private ControlPlane start() throws Exception {
    ControlPlane cp =
        ControlPlane.start(
            ControlPlane.Options.forTest(null, "istio-system"),
            new ControlPlane.Kube(api.newClient(), WatchScope.NAMESPACES, Duration.ofSeconds(20)),
            new ControlPlane.SecureXds(
                new InetSocketAddress("127.0.0.1", 0),
                null,
                new ControlPlane.Ca(null, "cluster.local", List.of(SERVER_NAME))));
    planes.add(cp);
    return cp;
  }

  private String root() {
    return IstioAgent.root(api);
  }

  private ManagedChannel channel(ControlPlane cp, String chain, String key) throws Exception {
    return channel(cp, chain, key, null);
  }

  /** A channel to the secure port; with {@code token}, every call carries it as Istio's agent's. */
  private ManagedChannel channel(ControlPlane cp, String chain, String key, String token)
      throws Exception {
    TlsChannelCredentials.Builder tls =
        TlsChannelCredentials.newBuilder().trustManager(stream(root()));
    if (chain != null) {
      tls.keyManager(stream(chain), stream(key));
    }
    NettyChannelBuilder builder =
        NettyChannelBuilder.forAddress("127.0.0.1", cp.secureXdsPort(), tls.build())
            .overrideAuthority(SERVER_NAME);
    if (token != null) {
      builder.intercept(MetadataUtils.newAttachHeadersInterceptor(Bearer.header(token)));
    }
    ManagedChannel channel = builder.build();
    closing.add(() -> channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    return channel;
  }

  private static ByteArrayInputStream stream(String pem) {
    return new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII));
  }

  private List<String> certificate(ControlPlane cp, String token, KeyPair key, String spiffe)
      throws Exception {
    return IstioAgent.certificate(cp.secureXdsPort(), root(), token, key, spiffe);
  }

  @Test
  void aTokenBuysACertificateThatOpensTheSecurePortForItsNamespace() throws Exception {
    ControlPlane cp = start();
    KeyPair key = Csrs.ec("secp256r1");
    List<String> chain =
        certificate(cp, api.serviceAccountToken("shop", "default", "istio-ca"), key, SPIFFE);
    assertThat(chain.get(chain.size() - 1).strip()).isEqualTo(root().strip());

    CdsWatcher shop =
        new CdsWatcher(
            channel(cp, String.join("", chain), Csrs.pem(key.getPrivate())), "app-1", "shop");
    closing.add(shop);
    MultitenancyIT.await(
        "the shop proxy is served with its issued certificate",
        () -> shop.clusters().contains("outbound|7070||catalog.shop.svc.cluster.local"));

    // A second replica finds the same root in the Secret and issues under it.
    ControlPlane replica = start();
    List<String> again =
        certificate(
            replica,
            api.serviceAccountToken("shop", "default", "istio-ca"),
            Csrs.rsa(2048),
            SPIFFE);
    assertThat(again.get(again.size() - 1)).isEqualTo(chain.get(chain.size() - 1));
  }

  @Test
  void aTokenOpensAdsForItsOwnNamespaceOnly() throws Exception {
    ControlPlane cp = start();
    String token = api.serviceAccountToken("shop", "default", "istio-ca");
    CdsWatcher shop = new CdsWatcher(channel(cp, null, null, token), "app-1", "shop");
    closing.add(shop);
    MultitenancyIT.await(
        "the shop proxy is served on its token",
        () -> shop.clusters().contains("outbound|7070||catalog.shop.svc.cluster.local"));

    CdsWatcher impostor = new CdsWatcher(channel(cp, null, null, token), "app-2", "other");
    closing.add(impostor);
    Status status = impostor.awaitClose();
    assertThat(status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(status.getDescription())
        .contains("claims namespace \"other\" but it authenticated as " + SPIFFE);

    String wrongAudience = api.serviceAccountToken("shop", "default", "api");
    CdsWatcher refused = new CdsWatcher(channel(cp, null, null, wrongAudience), "app-3", "shop");
    closing.add(refused);
    Status why = refused.awaitClose();
    assertThat(why.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(why.getDescription()).contains("did not accept the token");
    assertThat(refused.pushes).isEmpty();
  }

  @Test
  void anotherTenantsTokenGetsNothingAndNoCertificateGetsNoConfig() throws Exception {
    ControlPlane cp = start();
    String outsider = api.serviceAccountToken("other", "default", "istio-ca");
    assertThatThrownBy(
            () ->
                certificate(
                    cp, outsider, Csrs.rsa(2048), "spiffe://cluster.local/ns/other/sa/default"))
        .isInstanceOf(StatusRuntimeException.class)
        .hasMessageContaining("PERMISSION_DENIED: namespace \"other\" is not a member");

    // The refusal is counted by reason on /debug/caz, beside the root it would have been under.
    JsonNode caz =
        new ObjectMapper()
            .readTree(
                HttpClient.newHttpClient()
                    .send(
                        HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + cp.debugPort() + "/debug/caz"))
                            .build(),
                        HttpResponse.BodyHandlers.ofString())
                    .body());
    assertThat(caz.path("refused").path("permission").asLong()).isEqualTo(1);
    assertThat(caz.path("issued").asLong()).isZero();
    assertThat(caz.path("keys").asText()).startsWith("Secret istio-system/istio-ca-secret");
    assertThat(caz.path("root").path("notAfter").asText()).isNotEmpty();
    assertThat(caz.path("servingCertificate").path("names").get(0).asText()).isEqualTo(SERVER_NAME);

    CdsWatcher anonymous = new CdsWatcher(channel(cp, null, null), "app-1", "shop");
    closing.add(anonymous);
    Status status = anonymous.awaitClose();
    assertThat(status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(status.getDescription()).contains("no verified certificate");
    assertThat(anonymous.pushes).isEmpty();
  }

  @Test
  void withoutAClusterThePluggedInFilesSignAndOnlyCertificatesAreTaken(
      @TempDir Path config, @TempDir Path caDir) throws Exception {
    Files.writeString(
        config.resolve("mesh.yaml"),
        MeshYaml.members("shop")
            + """
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: catalog, namespace: shop}
            spec:
              clusterIP: 10.96.0.20
              ports: [{name: grpc, port: 7070}]
            """);
    SigningKeys plugged =
        SigningKeys.selfSigned("cluster.local", Duration.ofDays(30), java.time.Clock.systemUTC());
    for (Map.Entry<String, String> f : plugged.toData().entrySet()) {
      Files.writeString(caDir.resolve(f.getKey()), f.getValue());
    }
    ControlPlane cp =
        ControlPlane.start(
            ControlPlane.Options.forTest(config, "istio-system"),
            null,
            new ControlPlane.SecureXds(
                new InetSocketAddress("127.0.0.1", 0),
                null,
                new ControlPlane.Ca(caDir, "cluster.local", List.of(SERVER_NAME))));
    planes.add(cp);
    String root = plugged.rootPem();
    // Without an API server no token can be checked.
    assertThatThrownBy(
            () ->
                IstioAgent.certificate(
                    cp.secureXdsPort(), root, "eyJhbGciOiJSUzI1NiJ9.e30.x", Csrs.rsa(2048), SPIFFE))
        .hasMessageContaining("UNAUTHENTICATED: tokens cannot be checked without an API server");
    // A certificate the plugged-in CA issued (as an admin would) opens ADS on the port.
    KeyPair key = Csrs.ec("secp256r1");
    List<String> chain =
        CertificateAuthority.of(plugged, "cluster.local")
            .issue(new WorkloadIdentity("shop", "default"), Csrs.csr(key, SPIFFE), 0);
    TlsChannelCredentials.Builder tls =
        TlsChannelCredentials.newBuilder()
            .trustManager(stream(root))
            .keyManager(stream(String.join("", chain)), stream(Csrs.pem(key.getPrivate())));
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", cp.secureXdsPort(), tls.build())
            .overrideAuthority(SERVER_NAME)
            .build();
    closing.add(() -> channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    CdsWatcher shop = new CdsWatcher(channel, "app-1", "shop");
    closing.add(shop);
    MultitenancyIT.await(
        "the shop proxy is served",
        () -> shop.clusters().contains("outbound|7070||catalog.shop.svc.cluster.local"));
  }
}
