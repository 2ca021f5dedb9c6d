package dev.mizzen.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.mizzen.ca.Callers;
import dev.mizzen.ingest.kube.WatchScope;
import dev.mizzen.pilot.app.ControlPlane;
import dev.mizzen.pilot.cache.TypeUrls;
import dev.mizzen.testing.kube.MockApiServer;
import dev.mizzen.testing.pki.Bearer;
import dev.mizzen.testing.xds.AdsTestStream;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway's {@code credentialName} as Istio's agent meets it: the gateway authenticates its ADS
 * stream with its service-account token, its listeners name {@code kubernetes://NAME} over ADS, and
 * Mizzen serves those Secrets of the gateway's own namespace, read by name, to a gateway whose
 * service account may read Secrets there; pushed again, alone, when the Secret changes. Another
 * namespace's Secret and a Secret outside the member roll are never served nor read.
 */
class GatewaySecretsIT {
  private static final String GATEWAY_LABELS = "{istio: ingressgateway}";

  @TempDir Path dir;
  private MockApiServer api;
  private ControlPlane cp;
  private final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeEach
  void cluster() throws Exception {
    api = new MockApiServer();
    for (String ns : List.of("istio-system", "shop", "other", "outside")) {
      api.create("apiVersion: v1\nkind: Namespace\nmetadata: {name: " + ns + "}\n");
    }
    api.create(
        """
        apiVersion: maistra.io/v1
        kind: ServiceMeshMemberRoll
        metadata: {name: default, namespace: istio-system}
        spec: {members: [shop, other]}
        """);
    api.configure("istio-system", "default", List.of("shop", "other"));
    // The Role Istio's gateway charts give a gateway's service account in its namespace.
    api.create(
        """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata: {name: ingress-sds, namespace: shop}
        rules:
        - apiGroups: [""]
          resources: [secrets]
          verbs: [get, watch, list]
        """);
    api.create(
        """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: ingress-sds, namespace: shop}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: ingress-sds}
        subjects:
        - {kind: ServiceAccount, name: ingress, namespace: shop}
        """);
    Certificates pki = new Certificates(dir);
    Certificates.Issued first = pki.server();
    api.create(secret("shop", "shop-cert", first, pki.caCertificate()));
    // The same name elsewhere: never served to shop's gateway.
    Certificates.Issued foreign =
        new Certificates(Files.createDirectories(dir.resolve("x"))).server();
    api.create(secret("other", "elsewhere", foreign, null));
    api.create(secret("outside", "shop-cert", foreign, null));
    api.create(
        """
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: shop-gateway, namespace: shop}
        spec:
          selector: %s
          servers:
          - port: {number: 443, name: https, protocol: HTTPS}
            hosts: ["*"]
            tls: {mode: SIMPLE, credentialName: shop-cert}
          - port: {number: 8443, name: https-mutual, protocol: HTTPS}
            hosts: ["*"]
            tls: {mode: MUTUAL, credentialName: shop-cert}
          - port: {number: 9443, name: https-foreign, protocol: HTTPS}
            hosts: ["*"]
            tls: {mode: SIMPLE, credentialName: other/elsewhere}
        """
            .formatted(GATEWAY_LABELS));
    cp =
        ControlPlane.start(
            ControlPlane.Options.forTest(null, "istio-system"),
            new ControlPlane.Kube(
                api.newClient("serving"), WatchScope.NAMESPACES, Duration.ofSeconds(20)),
            new ControlPlane.SecureXds(
                new java.net.InetSocketAddress("127.0.0.1", 0),
                null,
                new ControlPlane.Ca(null, "cluster.local", List.of(IstioAgent.SERVER_NAME))));
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
    if (cp != null) {
      cp.close();
    }
    api.close();
  }

  private static String secret(
      String namespace, String name, Certificates.Issued issued, Path roots) throws Exception {
    StringBuilder data =
        new StringBuilder()
            .append("  tls.crt: ")
            .append(base64(issued.certificate()))
            .append("\n  tls.key: ")
            .append(base64(issued.privateKey()))
            .append('\n');
    if (roots != null) {
      data.append("  ca.crt: ").append(base64(roots)).append('\n');
    }
    return "apiVersion: v1\nkind: Secret\ntype: kubernetes.io/tls\nmetadata: {name: "
        + name
        + ", namespace: "
        + namespace
        + "}\ndata:\n"
        + data;
  }

  private static String base64(Path file) throws Exception {
    return Base64.getEncoder().encodeToString(Files.readAllBytes(file));
  }

  /** An ADS stream on the secure port authenticated as {@code serviceAccount} of shop. */
  private AdsTestStream stream(String serviceAccount) throws Exception {
    String token = api.serviceAccountToken("shop", serviceAccount, Callers.AUDIENCE);
    ManagedChannel channel =
        NettyChannelBuilder.forAddress(
                "127.0.0.1",
                cp.secureXdsPort(),
                TlsChannelCredentials.newBuilder()
                    .trustManager(
                        new ByteArrayInputStream(
                            IstioAgent.root(api).getBytes(StandardCharsets.US_ASCII)))
                    .build())
            .overrideAuthority(IstioAgent.SERVER_NAME)
            .intercept(MetadataUtils.newAttachHeadersInterceptor(Bearer.header(token)))
            .build();
    AdsTestStream s = new AdsTestStream(channel);
    closing.add(s);
    return s;
  }

  private static Node gateway(String pod) {
    Struct labels =
        Struct.newBuilder()
            .putFields("istio", Value.newBuilder().setStringValue("ingressgateway").build())
            .build();
    Struct metadata =
        Struct.newBuilder()
            .putFields("NAMESPACE", Value.newBuilder().setStringValue("shop").build())
            .putFields("LABELS", Value.newBuilder().setStructValue(labels).build())
            .build();
    return Node.newBuilder()
        .setId("router~10.0.0.9~" + pod + ".shop~shop.svc.cluster.local")
        .setMetadata(metadata)
        .build();
  }

  /** The first response of {@code type}, the others acknowledged on the way. */
  private static DiscoveryResponse next(AdsTestStream s, String type) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      DiscoveryResponse r = s.poll(500);
      if (r == null) {
        continue;
      }
      if (r.getTypeUrl().equals(type)) {
        return r;
      }
    }
    throw new AssertionError("no " + type + " response within 20 s");
  }

  /** The secret names the gateway's listeners ask for over ADS, by listener port. */
  private static Map<String, List<String>> namedSecrets(DiscoveryResponse lds) throws Exception {
    Map<String, List<String>> named = new TreeMap<>();
    for (Any any : lds.getResourcesList()) {
      Listener l = any.unpack(Listener.class);
      for (FilterChain chain : l.getFilterChainsList()) {
        if (!chain.getTransportSocket().getTypedConfig().is(DownstreamTlsContext.class)) {
          continue;
        }
        var common =
            chain
                .getTransportSocket()
                .getTypedConfig()
                .unpack(DownstreamTlsContext.class)
                .getCommonTlsContext();
        List<SdsSecretConfig> configs =
            new ArrayList<>(common.getTlsCertificateSdsSecretConfigsList());
        if (common.hasCombinedValidationContext()) {
          configs.add(common.getCombinedValidationContext().getValidationContextSdsSecretConfig());
        }
        for (SdsSecretConfig c : configs) {
          assertThat(c.getSdsConfig().hasAds()).as("%s comes over ADS", c.getName()).isTrue();
          named.computeIfAbsent(l.getName(), k -> new ArrayList<>()).add(c.getName());
        }
      }
    }
    return named;
  }

  private static Map<String, Secret> secrets(DiscoveryResponse r) throws Exception {
    Map<String, Secret> byName = new TreeMap<>();
    for (Any any : r.getResourcesList()) {
      Secret s = any.unpack(Secret.class);
      byName.put(s.getName(), s);
    }
    return byName;
  }

  private static final List<String> WANTED =
      List.of(
          "kubernetes://shop-cert",
          "kubernetes://shop-cert-cacert",
          "kubernetes://other/elsewhere");

  /** Asks for the secrets and waits until the answer holds {@code count} of them. */
  private static DiscoveryResponse secretsOnceServed(AdsTestStream s, Node node, int count)
      throws Exception {
    s.request(node, TypeUrls.SECRET, WANTED, "", "");
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      DiscoveryResponse r = next(s, TypeUrls.SECRET);
      AdsTestStream.followsEnvoyRules(r);
      s.ack(r, WANTED);
      if (r.getResourcesCount() == count) {
        return r;
      }
    }
    throw new AssertionError("never served " + count + " secrets");
  }

  @Test
  void aGatewayIsServedItsNamespacesSecretsAndTheirRotation() throws Exception {
    AdsTestStream s = stream("ingress");
    Node node = gateway("ingress-1");
    s.request(node, TypeUrls.LISTENER, List.of(), "", "");
    DiscoveryResponse lds = next(s, TypeUrls.LISTENER);
    s.ack(lds, List.of());
    Map<String, List<String>> named = namedSecrets(lds);
    assertThat(new TreeSet<>(named.values().stream().flatMap(List::stream).toList()))
        .containsExactlyInAnyOrderElementsOf(WANTED);

    DiscoveryResponse served = secretsOnceServed(s, node, 2);
    Map<String, Secret> secrets = secrets(served);
    assertThat(secrets).containsOnlyKeys("kubernetes://shop-cert", "kubernetes://shop-cert-cacert");
    Secret cert = secrets.get("kubernetes://shop-cert");
    String chain = cert.getTlsCertificate().getCertificateChain().getInlineBytes().toStringUtf8();
    assertThat(chain).isEqualTo(Files.readString(dir.resolve("server.pem")));
    assertThat(cert.getTlsCertificate().getPrivateKey().getInlineBytes().toStringUtf8())
        .isEqualTo(Files.readString(dir.resolve("server-key.pem")));
    assertThat(
            secrets
                .get("kubernetes://shop-cert-cacert")
                .getValidationContext()
                .getTrustedCa()
                .getInlineBytes()
                .toStringUtf8())
        .isEqualTo(Files.readString(dir.resolve("ca.pem")));

    // Admins see which secrets a proxy holds, never the private key.
    String dump =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(
                            "http://127.0.0.1:"
                                + cp.debugPort()
                                + "/debug/config_dump?proxyID=ingress-1.shop&types=secret"))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString())
            .body();
    assertThat(dump)
        .contains("kubernetes://shop-cert")
        .contains("[redacted]")
        .doesNotContain(
            Base64.getEncoder()
                .encodeToString(Files.readAllBytes(dir.resolve("server-key.pem")))
                .substring(0, 40));

    // Rotation: the Secret changes, and only the secrets are pushed again.
    Certificates.Issued rotated =
        new Certificates(Files.createDirectories(dir.resolve("rotated"))).server();
    api.client()
        .secrets()
        .inNamespace("shop")
        .withName("shop-cert")
        .edit(
            sec -> {
              try {
                sec.getData().put("tls.crt", base64(rotated.certificate()));
                sec.getData().put("tls.key", base64(rotated.privateKey()));
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
              return sec;
            });
    DiscoveryResponse pushed = s.next();
    assertThat(pushed.getTypeUrl()).isEqualTo(TypeUrls.SECRET);
    assertThat(
            secrets(pushed)
                .get("kubernetes://shop-cert")
                .getTlsCertificate()
                .getCertificateChain()
                .getInlineBytes()
                .toStringUtf8())
        .isEqualTo(Files.readString(rotated.certificate()));
    s.ack(pushed, WANTED);
    assertThat(s.poll(1500)).as("nothing but the secrets is pushed").isNull();

    // Secrets are read by name only, in the gateway's own namespace, never listed.
    List<String> reads =
        api.requestsFrom("serving").stream().filter(r -> r.contains("/secrets")).toList();
    assertThat(reads).isNotEmpty();
    for (String r : reads) {
      if (r.startsWith("POST") || r.contains("/namespaces/istio-system/")) {
        continue; // the CA's own Secret in the control plane's namespace
      }
      assertThat(r).contains("/namespaces/shop/secrets").contains("metadata.name%3Dshop-cert");
    }
    // ... with exactly the rights deploy/ copies into the member namespaces.
    var granted =
        DeployRbacTest.grants(
            "control-plane.yaml", "ClusterRole", "mizzen-credentials-istio-system");
    for (String r : reads) {
      if (r.contains("/namespaces/shop/")) {
        assertThat(granted).as("%s is granted", r).contains(ApiRequest.parse(r).anyNamespace());
      }
    }
    assertThat(api.requestsFrom("serving"))
        .anyMatch(r -> r.startsWith("POST /apis/authorization.k8s.io/v1/subjectaccessreviews"));
    assertThat(reads).noneMatch(r -> r.contains("/namespaces/outside/"));
    assertThat(reads).noneMatch(r -> r.contains("/namespaces/other/"));
  }

  @Test
  void aServiceAccountThatMayNotReadSecretsIsServedNone() throws Exception {
    AdsTestStream s = stream("default");
    Node node = gateway("impostor-1");
    s.request(node, TypeUrls.LISTENER, List.of(), "", "");
    DiscoveryResponse lds = next(s, TypeUrls.LISTENER);
    s.ack(lds, List.of());
    assertThat(namedSecrets(lds)).isNotEmpty();
    s.request(node, TypeUrls.SECRET, WANTED, "", "");
    DiscoveryResponse r = next(s, TypeUrls.SECRET);
    assertThat(r.getResourcesList()).isEmpty();
    s.ack(r, WANTED);
    // A gateway that may read them connects: the first still gets nothing.
    AdsTestStream allowed = stream("ingress");
    Node other = gateway("ingress-2");
    allowed.request(other, TypeUrls.LISTENER, List.of(), "", "");
    allowed.ack(next(allowed, TypeUrls.LISTENER), List.of());
    secretsOnceServed(allowed, other, 2);
    DiscoveryResponse late = s.poll(1500);
    if (late != null && late.getTypeUrl().equals(TypeUrls.SECRET)) {
      assertThat(late.getResourcesList()).isEmpty();
    }
  }
}
