package dev.mizzen.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mizzen.ca.CertificateAuthority;
import dev.mizzen.ca.SigningKeys;
import dev.mizzen.ca.WorkloadIdentity;
import dev.mizzen.ingest.kube.WatchScope;
import dev.mizzen.pilot.app.ControlPlane;
import dev.mizzen.testing.kube.MockApiServer;
import dev.mizzen.testing.pki.Csrs;
import io.grpc.ChannelCredentials;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.NameResolverRegistry;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import io.grpc.xds.XdsChannelCredentials;
import io.grpc.xds.XdsNameResolverProvider;
import io.grpc.xds.XdsServerBuilder;
import io.grpc.xds.XdsServerCredentials;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS between two proxyless gRPC workloads, with identities Mizzen issued. The test plays
 * Istio's agent for each: it makes a key and a CSR, buys a certificate from Mizzen's certificate
 * service with the workload's service-account token (which the test API server reviews), and writes
 * the files grpc's {@code file_watcher} certificate provider reads. grpc-java's xDS server and
 * client then take their TLS and RBAC from Mizzen: a PeerAuthentication STRICT on the server, a
 * DestinationRule ISTIO_MUTUAL on the client, and an AuthorizationPolicy allowing one principal.
 */
class MutualTlsIT {
  private static final AtomicInteger SCHEMES = new AtomicInteger();

  /** The serial number of the certificate the caller presented, as the echo server saw it. */
  private static final Context.Key<String> PEER = Context.key("peer-serial");

  @TempDir Path pki;

  private MockApiServer api;
  private ControlPlane cp;
  private Server echo;
  private int echoPort;
  private volatile boolean serving;
  private final List<ManagedChannel> channels = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    echoPort = XdsBackend.freePort();
    api = new MockApiServer();
    for (String ns : List.of("istio-system", "a")) {
      api.create("apiVersion: v1\nkind: Namespace\nmetadata: {name: " + ns + "}\n");
    }
    api.create(
        """
        apiVersion: maistra.io/v1
        kind: ServiceMeshMemberRoll
        metadata: {name: default, namespace: istio-system}
        spec: {members: [a]}
        """);
    api.configure("istio-system", "default", List.of("a"));
    for (String yaml :
        List.of(
            """
            apiVersion: v1
            kind: Service
            metadata: {name: echo, namespace: a}
            spec:
              clusterIP: 10.96.0.10
              selector: {app: echo}
              ports: [{name: grpc, port: 7070, targetPort: %d}]
            """
                .formatted(echoPort),
            """
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: echo-abcde, namespace: a, labels: {kubernetes.io/service-name: echo}}
            addressType: IPv4
            endpoints:
            - addresses: [127.0.0.1]
              conditions: {ready: true}
              targetRef: {kind: Pod, name: echo-1}
            ports: [{name: grpc, port: %d, protocol: TCP}]
            """
                .formatted(echoPort),
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: echo-1, namespace: a, labels: {app: echo}}
            spec: {serviceAccountName: echo}
            """,
            """
            apiVersion: security.istio.io/v1
            kind: PeerAuthentication
            metadata: {name: strict, namespace: a}
            spec: {mtls: {mode: STRICT}}
            """,
            """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: echo, namespace: a}
            spec:
              host: echo.a.svc.cluster.local
              trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}
            """,
            """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: only-client, namespace: a}
            spec:
              selector: {matchLabels: {app: echo}}
              rules:
              - from: [{source: {principals: [cluster.local/ns/a/sa/client]}}]
            """)) {
      api.create(yaml);
    }
    cp =
        ControlPlane.start(
            ControlPlane.Options.forTest(null, "istio-system"),
            new ControlPlane.Kube(api.newClient(), WatchScope.NAMESPACES, Duration.ofSeconds(20)),
            new ControlPlane.SecureXds(
                new InetSocketAddress("127.0.0.1", 0),
                null,
                new ControlPlane.Ca(null, "cluster.local", List.of(IstioAgent.SERVER_NAME))));

    Path files = identity("echo", "echo");
    Map<String, Object> bootstrap =
        new HashMap<>(XdsClients.bootstrap(cp.xdsPort(), "echo-1", "a", Map.of("app", "echo")));
    bootstrap.put("server_listener_resource_name_template", "xds.istio.io/grpc/lds/inbound/%s");
    bootstrap.put("certificate_providers", providers(files));
    echo =
        XdsServerBuilder.forAddress(
                new InetSocketAddress("127.0.0.1", echoPort),
                XdsServerCredentials.create(InsecureServerCredentials.create()))
            .overrideBootstrapForTest(bootstrap)
            .xdsServingStatusListener(
                new XdsServerBuilder.XdsServingStatusListener() {
                  @Override
                  public void onServing() {
                    serving = true;
                  }

                  @Override
                  public void onNotServing(Throwable t) {
                    serving = false;
                  }
                })
            .addService(
                ServerInterceptors.intercept(
                    new SimpleServiceGrpc.SimpleServiceImplBase() {
                      @Override
                      public void unaryRpc(
                          SimpleRequest request, StreamObserver<SimpleResponse> response) {
                        response.onNext(
                            SimpleResponse.newBuilder().setResponseMessage(PEER.get()).build());
                        response.onCompleted();
                      }
                    },
                    new ServerInterceptor() {
                      @Override
                      public <Q, R> ServerCall.Listener<Q> interceptCall(
                          ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                        return Contexts.interceptCall(
                            Context.current().withValue(PEER, peerSerial(call)),
                            call,
                            headers,
                            next);
                      }
                    }))
            .build()
            .start();
    await("the server holds its listener from Mizzen", () -> serving);
  }

  @AfterEach
  void stop() throws Exception {
    for (ManagedChannel c : channels) {
      c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (echo != null) {
      echo.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (cp != null) {
      cp.close();
    }
    api.close();
  }

  private String root() {
    return IstioAgent.root(api);
  }

  /**
   * What Istio's agent does for a workload of service account {@code sa} in namespace a: a key, a
   * certificate bought with its token, written where the certificate provider reads them.
   */
  private Path identity(String name, String sa) throws Exception {
    Path dir = Files.createDirectories(pki.resolve(name));
    writeIdentity(dir, sa);
    return dir;
  }

  private void writeIdentity(Path dir, String sa) throws Exception {
    KeyPair key = Csrs.ec("secp256r1");
    List<String> chain =
        IstioAgent.certificate(
            cp.secureXdsPort(),
            root(),
            api.serviceAccountToken("a", sa, "istio-ca"),
            key,
            "spiffe://cluster.local/ns/a/sa/" + sa);
    // The key and root first, the certificate last: the provider reloads on the certificate.
    Files.writeString(dir.resolve("key.pem"), Csrs.pem(key.getPrivate()));
    Files.writeString(dir.resolve("root-cert.pem"), chain.get(chain.size() - 1));
    Files.writeString(dir.resolve("cert-chain.pem"), String.join("", chain));
  }

  /** grpc's file_watcher provider, named "default" as Istio's bootstrap names it. */
  private static Map<String, Object> providers(Path files) {
    return Map.of(
        "default",
        Map.of(
            "plugin_name",
            "file_watcher",
            "config",
            Map.of(
                "certificate_file", files.resolve("cert-chain.pem").toString(),
                "private_key_file", files.resolve("key.pem").toString(),
                "ca_certificate_file", files.resolve("root-cert.pem").toString(),
                "refresh_interval", "1s")));
  }

  /** A proxyless client of pod {@code pod}, its identity in {@code files}; TLS from xDS. */
  private ManagedChannel client(String pod, Path files) {
    Map<String, Object> bootstrap =
        new HashMap<>(XdsClients.bootstrap(cp.xdsPort(), pod, "a", Map.of("app", "client")));
    bootstrap.put("certificate_providers", providers(files));
    String scheme = "xds-mtls-" + SCHEMES.incrementAndGet();
    NameResolverRegistry.getDefaultRegistry()
        .register(XdsNameResolverProvider.createForTest(scheme, bootstrap));
    ChannelCredentials credentials =
        XdsChannelCredentials.create(InsecureChannelCredentials.create());
    ManagedChannel c =
        Grpc.newChannelBuilder(scheme + ":///echo.a.svc.cluster.local:7070", credentials).build();
    channels.add(c);
    return c;
  }

  private static String peerSerial(ServerCall<?, ?> call) {
    SSLSession tls = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
    try {
      return tls == null
          ? "plaintext"
          : ((X509Certificate) tls.getPeerCertificates()[0]).getSerialNumber().toString(16);
    } catch (SSLPeerUnverifiedException e) {
      return "no certificate";
    }
  }

  private static String serial(Path files) throws Exception {
    String chain = Files.readString(files.resolve("cert-chain.pem"));
    X509Certificate leaf =
        (X509Certificate)
            CertificateFactory.getInstance("X.509")
                .generateCertificate(
                    new ByteArrayInputStream(chain.getBytes(StandardCharsets.US_ASCII)));
    return leaf.getSerialNumber().toString(16);
  }

  private static Status.Code call(ManagedChannel channel) {
    try {
      answer(channel);
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }

  /** The serial of the certificate the echo server saw this channel present. */
  private static String answer(ManagedChannel channel) {
    return SimpleServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(5, TimeUnit.SECONDS)
        .unaryRpc(SimpleRequest.getDefaultInstance())
        .getResponseMessage();
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what).isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  @Test
  void theAllowedPrincipalIsServedOverMutualTlsAndOthersAreNot() throws Exception {
    Path clientFiles = identity("client", "client");
    ManagedChannel allowed = client("client-1", clientFiles);
    await("the allowed client is served", () -> call(allowed) == Status.Code.OK);
    assertThat(answer(allowed)).isEqualTo(serial(clientFiles));

    ManagedChannel otherAccount = client("client-2", identity("intruder", "intruder"));
    await(
        "another service account is denied by the policy",
        () -> call(otherAccount) == Status.Code.PERMISSION_DENIED);

    ManagedChannel plaintext =
        Grpc.newChannelBuilder("127.0.0.1:" + echoPort, InsecureChannelCredentials.create())
            .build();
    channels.add(plaintext);
    assertThat(call(plaintext)).isEqualTo(Status.Code.UNAVAILABLE);

    // A certificate for the allowed identity, but from another control plane's root.
    Path foreign = Files.createDirectories(pki.resolve("foreign"));
    SigningKeys otherRoot =
        SigningKeys.selfSigned("cluster.local", Duration.ofDays(30), Clock.systemUTC());
    KeyPair key = Csrs.ec("secp256r1");
    List<String> chain =
        CertificateAuthority.of(otherRoot, "cluster.local")
            .issue(
                new WorkloadIdentity("a", "client"),
                Csrs.csr(key, "spiffe://cluster.local/ns/a/sa/client"),
                0);
    Files.writeString(foreign.resolve("key.pem"), Csrs.pem(key.getPrivate()));
    Files.writeString(foreign.resolve("root-cert.pem"), root());
    Files.writeString(foreign.resolve("cert-chain.pem"), String.join("", chain));
    ManagedChannel impostor = client("client-3", foreign);
    Thread.sleep(1000);
    assertThat(call(impostor)).isEqualTo(Status.Code.UNAVAILABLE);
  }

  @Test
  void aRenewedCertificateReplacesTheFirstWithoutARestart() throws Exception {
    Path files = identity("client", "client");
    ManagedChannel allowed = client("client-1", files);
    await("the client is served", () -> call(allowed) == Status.Code.OK);
    String first = serial(files);
    assertThat(answer(allowed)).isEqualTo(first);
    writeIdentity(files, "client");
    String renewed = serial(files);
    assertThat(renewed).isNotEqualTo(first);
    // New connections present the renewed certificate once the provider has read it.
    await(
        "the renewed certificate is presented",
        () -> {
          allowed.enterIdle();
          return renewed.equals(answer(allowed));
        });
  }
}
