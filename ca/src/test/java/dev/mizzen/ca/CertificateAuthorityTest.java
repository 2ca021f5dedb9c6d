package dev.mizzen.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mizzen.testing.pki.Csrs;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.junit.jupiter.api.Test;

class CertificateAuthorityTest {
  private static final WorkloadIdentity CLIENT = new WorkloadIdentity("a", "client");
  private static final String SPIFFE = "spiffe://cluster.local/ns/a/sa/client";
  private static final SigningKeys ROOT =
      SigningKeys.selfSigned("cluster.local", Duration.ofDays(3650), Clock.systemUTC());
  private static final CertificateAuthority CA = CertificateAuthority.of(ROOT, "cluster.local");

  static X509Certificate certificate(String pem) throws Exception {
    return (X509Certificate)
        CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
  }

  @Test
  void issuesTheCallersIdentityOnlyWithTheChainToTheRoot() throws Exception {
    List<String> chain = CA.issue(CLIENT, Csrs.csr(Csrs.rsa(2048), SPIFFE), 0);
    assertThat(chain).hasSize(2);
    X509Certificate leaf = certificate(chain.get(0));
    X509Certificate root = certificate(chain.get(1));
    assertThat(root).isEqualTo(ROOT.root());
    leaf.verify(root.getPublicKey());
    assertThat(leaf.getSubjectAlternativeNames()).containsExactly(List.of(6, SPIFFE));
    assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
    assertThat(leaf.getExtendedKeyUsage())
        .containsExactlyInAnyOrder("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
    Duration validity =
        Duration.between(leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant());
    assertThat(validity).isBetween(Duration.ofHours(24), Duration.ofHours(24).plusMinutes(2));
  }

  @Test
  void signsP256KeysAndTheValidityAskedFor() throws Exception {
    X509Certificate leaf =
        certificate(CA.issue(CLIENT, Csrs.csr(Csrs.ec("secp256r1"), SPIFFE), 3600).get(0));
    assertThat(Duration.between(leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant()))
        .isBetween(Duration.ofHours(1), Duration.ofHours(1).plusMinutes(2));
  }

  @Test
  void refusesNamesOtherThanTheCallers() throws Exception {
    KeyPair key = Csrs.rsa(2048);
    assertThatThrownBy(
            () -> CA.issue(CLIENT, Csrs.csr(key, List.of("URI:" + SPIFFE, "DNS:evil.example")), 0))
        .isInstanceOf(Refusal.class)
        .hasMessageContaining("DNS:evil.example, which is not allowed")
        .satisfies(
            e ->
                assertThat(((Refusal) e).status().getCode().name()).isEqualTo("PERMISSION_DENIED"));
    assertThatThrownBy(
            () -> CA.issue(CLIENT, Csrs.csr(key, "spiffe://cluster.local/ns/b/sa/admin"), 0))
        .hasMessageContaining(
            "URI:spiffe://cluster.local/ns/b/sa/admin, which is not allowed: the caller may be"
                + " issued URI:"
                + SPIFFE
                + " only");
    assertThatThrownBy(() -> CA.issue(CLIENT, Csrs.csr(key, List.of()), 0))
        .hasMessageContaining("asks for no subject alternative name");
  }

  @Test
  void refusesWeakKeysAndOtherCurves() throws Exception {
    assertThatThrownBy(() -> CA.issue(CLIENT, Csrs.csr(Csrs.rsa(1024), SPIFFE), 0))
        .hasMessageContaining("RSA key has 1024 bits; keys of 2048 to 8192 bits are signed");
    assertThatThrownBy(() -> CA.issue(CLIENT, Csrs.csr(Csrs.ec("secp521r1"), SPIFFE), 0))
        .hasMessageContaining("keys on P-256 or P-384 are signed");
  }

  @Test
  void refusesWhatIsNotAWellSignedCsr() throws Exception {
    assertThatThrownBy(() -> CA.issue(CLIENT, "", 0)).hasMessageContaining("csr is empty");
    assertThatThrownBy(() -> CA.issue(CLIENT, "not a csr", 0))
        .hasMessageContaining("not PEM-encoded");
    String pem = Csrs.csr(Csrs.rsa(2048), SPIFFE);
    String body =
        pem.replace("-----BEGIN CERTIFICATE REQUEST-----", "")
            .replace("-----END CERTIFICATE REQUEST-----", "")
            .replaceAll("\\s", "");
    byte[] der = Base64.getDecoder().decode(body);
    der[der.length - 5] ^= 0x55; // inside the signature
    String tampered =
        "-----BEGIN CERTIFICATE REQUEST-----\n"
            + Base64.getMimeEncoder().encodeToString(der)
            + "\n-----END CERTIFICATE REQUEST-----\n";
    assertThatThrownBy(() -> CA.issue(CLIENT, tampered, 0))
        .hasMessageContaining("signature does not verify");
  }

  @Test
  void refusesAbsurdValidity() throws Exception {
    String csr = Csrs.csr(Csrs.rsa(2048), SPIFFE);
    assertThatThrownBy(() -> CA.issue(CLIENT, csr, -5))
        .hasMessageContaining("validity_duration is -5 s; it must be positive");
    assertThatThrownBy(() -> CA.issue(CLIENT, csr, Duration.ofDays(365 * 100).toSeconds()))
        .hasMessageContaining("exceeds the maximum of 7776000 s");
  }

  @Test
  void aPluggedInIntermediateSignsWithTheWholeChain() throws Exception {
    // An intermediate of ROOT, as an admin would put it in cacerts.
    SigningKeys intermediateOnly =
        SigningKeys.selfSigned("cluster.local", Duration.ofDays(365), Clock.systemUTC());
    X509Certificate intermediate = intermediate(ROOT, intermediateOnly);
    Map<String, String> cacerts =
        Map.of(
            SigningKeys.CA_CERT,
            SigningKeys.pem(List.of(intermediate)),
            SigningKeys.CA_KEY,
            intermediateOnly.toData().get(SigningKeys.CA_KEY),
            SigningKeys.CERT_CHAIN,
            SigningKeys.pem(List.of(intermediate, ROOT.root())),
            SigningKeys.ROOT_CERT,
            ROOT.rootPem());
    CertificateAuthority plugged =
        CertificateAuthority.of(SigningKeys.fromData(cacerts), "cluster.local");
    List<String> chain = plugged.issue(CLIENT, Csrs.csr(Csrs.rsa(2048), SPIFFE), 0);
    assertThat(chain).hasSize(3);
    certificate(chain.get(0)).verify(intermediate.getPublicKey());
    assertThat(certificate(chain.get(1))).isEqualTo(intermediate);
    assertThat(certificate(chain.get(2))).isEqualTo(ROOT.root());
  }

  /** {@code subject}'s key and name, certified by {@code issuer} as a CA. */
  static X509Certificate intermediate(SigningKeys issuer, SigningKeys subject) throws Exception {
    JcaX509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            issuer.certificate(),
            SigningKeys.serial(),
            Date.from(Instant.now().minusSeconds(60)),
            Date.from(Instant.now().plus(Duration.ofDays(365))),
            new X500Name("O=cluster.local,CN=intermediate"),
            subject.certificate().getPublicKey());
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
    return SigningKeys.certificate(builder.build(SigningKeys.signer(issuer.key())));
  }

  @Test
  void refusesAKeyThatIsNotTheCertificates() {
    SigningKeys other =
        SigningKeys.selfSigned("cluster.local", Duration.ofDays(1), Clock.systemUTC());
    Map<String, String> data =
        Map.of(
            SigningKeys.CA_CERT,
            ROOT.rootPem(),
            SigningKeys.CA_KEY,
            other.toData().get(SigningKeys.CA_KEY));
    assertThatThrownBy(() -> SigningKeys.fromData(data))
        .hasMessage("ca-key.pem is not the key of ca-cert.pem");
  }
}
