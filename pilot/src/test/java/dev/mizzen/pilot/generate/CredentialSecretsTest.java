package dev.mizzen.pilot.generate;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import dev.mizzen.authz.authn.IstioTls;
import dev.mizzen.ca.SigningKeys;
import dev.mizzen.ingest.model.SecretRef;
import dev.mizzen.pilot.cache.ProxyResources;
import dev.mizzen.pilot.cache.TypeUrls;
import dev.mizzen.pilot.proxy.Proxy;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class CredentialSecretsTest {
  private static final SigningKeys KEYS =
      SigningKeys.selfSigned("cluster.local", Duration.ofHours(1), Clock.systemUTC());
  private static final String CERT = KEYS.toData().get(SigningKeys.CA_CERT);
  private static final String KEY = KEYS.toData().get(SigningKeys.CA_KEY);

  private static final GroupKey GATEWAY =
      new GroupKey(
          Proxy.Generator.ENVOY,
          Proxy.Type.ROUTER,
          "shop",
          new TreeMap<>(),
          new TreeSet<>(),
          List.of(),
          true);

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  /** A gateway listener naming {@code certificate} and, when not null, {@code roots}. */
  private static ProxyResources naming(String certificate, String roots) {
    CommonTlsContext.Builder common =
        CommonTlsContext.newBuilder()
            .addTlsCertificateSdsSecretConfigs(IstioTls.credential(certificate));
    if (roots != null) {
      common.setCombinedValidationContext(
          CommonTlsContext.CombinedCertificateValidationContext.newBuilder()
              .setValidationContextSdsSecretConfig(IstioTls.credentialRoots(roots)));
    }
    Listener l =
        Listener.newBuilder()
            .setName("0.0.0.0_443")
            .addFilterChains(
                FilterChain.newBuilder()
                    .setTransportSocket(
                        TransportSocket.newBuilder()
                            .setName("envoy.transport_sockets.tls")
                            .setTypedConfig(
                                Any.pack(
                                    DownstreamTlsContext.newBuilder()
                                        .setCommonTlsContext(common)
                                        .build()))))
            .build();
    SortedMap<String, Message> listeners = new TreeMap<>(Map.of(l.getName(), l));
    return new ProxyResources(Map.of(TypeUrls.LISTENER, listeners), Map.of());
  }

  @Test
  void tlsAndGenericKeysAndTheRootsFallBackToTheSecretItself() {
    Map<SecretRef, Map<String, String>> data =
        Map.of(
            new SecretRef("shop", "tls"),
            Map.of("tls.crt", b64(CERT), "tls.key", b64(KEY), "ca.crt", b64(CERT)),
            new SecretRef("shop", "generic"),
            Map.of("cert", b64(CERT), "key", b64(KEY)));
    var served = CredentialSecrets.serve(GATEWAY, naming("tls", "tls"), data);
    assertThat(served.problems()).isEmpty();
    assertThat(served.secrets()).containsOnlyKeys("kubernetes://tls", "kubernetes://tls-cacert");
    Secret roots = (Secret) served.secrets().get("kubernetes://tls-cacert");
    assertThat(roots.getValidationContext().getTrustedCa().getInlineBytes().toStringUtf8())
        .isEqualTo(CERT);
    assertThat(served.read())
        .containsExactlyInAnyOrder(
            new SecretRef("shop", "tls"), new SecretRef("shop", "tls-cacert"));

    var generic = CredentialSecrets.serve(GATEWAY, naming("generic", null), data);
    Secret cert = (Secret) generic.secrets().get("kubernetes://generic");
    assertThat(cert.getTlsCertificate().getPrivateKey().getInlineBytes().toStringUtf8())
        .isEqualTo(KEY);
  }

  @Test
  void theCacertSecretWinsOverTheSecretItself() {
    Map<SecretRef, Map<String, String>> data =
        Map.of(
            new SecretRef("shop", "tls"),
            Map.of("tls.crt", b64(CERT), "tls.key", b64(KEY)),
            new SecretRef("shop", "tls-cacert"),
            Map.of("cacert", b64(CERT)));
    var served = CredentialSecrets.serve(GATEWAY, naming("tls", "tls"), data);
    assertThat(served.problems()).isEmpty();
    assertThat(served.secrets()).containsKey("kubernetes://tls-cacert");
  }

  @Test
  void whatCannotBeServedIsLeftOutWithTheReason() {
    Map<SecretRef, Map<String, String>> data =
        Map.of(
            new SecretRef("shop", "opaque"),
            Map.of("password", b64("hunter2")),
            new SecretRef("shop", "garbage"),
            Map.of("tls.crt", b64("not a certificate"), "tls.key", b64(KEY)),
            new SecretRef("other", "theirs"),
            Map.of("tls.crt", b64(CERT), "tls.key", b64(KEY)));
    assertThat(CredentialSecrets.serve(GATEWAY, naming("opaque", null), data).problems())
        .singleElement()
        .asString()
        .contains("kubernetes://opaque")
        .contains("neither the keys cert and key nor tls.crt and tls.key; it has [password]");
    assertThat(CredentialSecrets.serve(GATEWAY, naming("opaque", "opaque"), data).problems())
        .anySatisfy(p -> assertThat(p).contains("neither the key cacert nor ca.crt"));
    assertThat(CredentialSecrets.serve(GATEWAY, naming("garbage", null), data).problems())
        .singleElement()
        .asString()
        .contains("the certificate chain is not PEM-encoded X.509 certificates");
    assertThat(CredentialSecrets.serve(GATEWAY, naming("missing", null), data).problems())
        .singleElement()
        .asString()
        .contains("Secret shop/missing was not found");
    var foreign = CredentialSecrets.serve(GATEWAY, naming("other/theirs", null), data);
    assertThat(foreign.secrets()).isEmpty();
    assertThat(foreign.read()).isEmpty();
    assertThat(foreign.problems())
        .singleElement()
        .asString()
        .contains("Secrets of its own namespace (shop) only");
    // Its own namespace spelled out is its own.
    var own =
        CredentialSecrets.serve(
            GATEWAY,
            naming("shop/generic", null),
            Map.of(new SecretRef("shop", "generic"), Map.of("cert", b64(CERT), "key", b64(KEY))));
    assertThat(own.secrets()).containsOnlyKeys("kubernetes://shop/generic");
  }

  @Test
  void proxiesThatProvedNothingAreServedNothingAndReadNothing() {
    GroupKey unproven = new GroupKey(Proxy.Generator.ENVOY, Proxy.Type.ROUTER, "shop");
    var served =
        CredentialSecrets.serve(
            unproven,
            naming("tls", null),
            Map.of(
                new SecretRef("shop", "tls"), Map.of("tls.crt", b64(CERT), "tls.key", b64(KEY))));
    assertThat(served.secrets()).isEmpty();
    assertThat(served.read()).isEmpty();
    assertThat(served.unproven()).containsExactly("kubernetes://tls");
  }
}
