package dev.mizzen.ca;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;

/**
 * Signs workload certificates: for a caller already authenticated, the CSR is checked ({@link
 * CertificateRequest}) and a certificate issued that names the caller's SPIFFE identity and nothing
 * else, valid for what was asked (the default when nothing was) up to the maximum, and returned
 * with the chain up to the root.
 *
 * @param keys what it signs with
 * @param trustDomain the identities' trust domain
 * @param defaultTtl the validity when none is asked for (istiod's {@code
 *     DEFAULT_WORKLOAD_CERT_TTL}, 24 h)
 * @param maxTtl the longest validity issued (istiod's {@code MAX_WORKLOAD_CERT_TTL}, 90 days)
 */
public record CertificateAuthority(
    SigningKeys keys, String trustDomain, Duration defaultTtl, Duration maxTtl, Clock clock) {
  public static final Duration DEFAULT_TTL = Duration.ofHours(24);
  public static final Duration MAX_TTL = Duration.ofDays(90);

  public CertificateAuthority {
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(trustDomain, "trustDomain");
    Objects.requireNonNull(clock, "clock");
    if (defaultTtl.compareTo(maxTtl) > 0) {
      throw new IllegalArgumentException(
          "the default certificate lifetime " + defaultTtl + " exceeds the maximum " + maxTtl);
    }
  }

  /** An authority with istiod's lifetimes. */
  public static CertificateAuthority of(SigningKeys keys, String trustDomain) {
    return new CertificateAuthority(keys, trustDomain, DEFAULT_TTL, MAX_TTL, Clock.systemUTC());
  }

  /**
   * A serving certificate for the control plane itself, for the DNS names proxies dial: a new key
   * and its chain, leaf first, both PEM-encoded.
   */
  public ServingCertificate serving(List<String> dnsNames, Duration ttl) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair pair = generator.generateKeyPair();
      GeneralName[] names =
          dnsNames.stream()
              .map(n -> new GeneralName(GeneralName.dNSName, n))
              .toArray(GeneralName[]::new);
      X509Certificate leaf =
          sign(
              pair.getPublic(),
              new GeneralNames(names),
              clock.instant().plus(ttl),
              KeyPurposeId.id_kp_serverAuth);
      List<X509Certificate> chain = new ArrayList<>();
      chain.add(leaf);
      chain.addAll(keys.issuerChain());
      return new ServingCertificate(chain, pair.getPrivate());
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(
          "a serving certificate could not be made: " + e.getMessage(), e);
    }
  }

  /**
   * A serving certificate and its key.
   *
   * @param chain the certificate and its chain up to the root
   * @param key its private key
   */
  public record ServingCertificate(List<X509Certificate> chain, PrivateKey key) {
    public ServingCertificate {
      chain = List.copyOf(chain);
    }

    public X509Certificate certificate() {
      return chain.get(0);
    }

    public String chainPem() {
      return SigningKeys.pem(chain);
    }

    /** The key, PKCS #8. */
    public String keyPem() {
      return SigningKeys.pem(List.of(key));
    }
  }

  /**
   * Issues {@code caller} a certificate for the key of {@code csrPem}.
   *
   * @param validitySeconds what the caller asked for; 0 for the default
   * @return the chain, PEM-encoded, leaf first and the root last
   * @throws Refusal when the request or the CSR is wrong; nothing is issued then
   */
  public List<String> issue(WorkloadIdentity caller, String csrPem, long validitySeconds)
      throws Refusal {
    if (validitySeconds < 0) {
      throw Refusal.badRequest(
          "validity_duration is "
              + validitySeconds
              + " s; it must be positive, or 0 for the default");
    }
    Duration ttl = validitySeconds == 0 ? defaultTtl : Duration.ofSeconds(validitySeconds);
    if (ttl.compareTo(maxTtl) > 0) {
      throw Refusal.badRequest(
          "validity_duration of "
              + validitySeconds
              + " s exceeds the maximum of "
              + maxTtl.toSeconds()
              + " s");
    }
    String spiffe = caller.spiffe(trustDomain);
    CertificateRequest request = CertificateRequest.read(csrPem, spiffe);
    Instant now = clock.instant();
    Instant notAfter = now.plus(ttl);
    try {
      X509Certificate leaf =
          sign(
              request.key(),
              new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, spiffe)),
              notAfter,
              KeyPurposeId.id_kp_serverAuth,
              KeyPurposeId.id_kp_clientAuth);
      List<X509Certificate> chain = new ArrayList<>();
      chain.add(leaf);
      chain.addAll(keys.issuerChain());
      List<String> out = new ArrayList<>();
      for (X509Certificate c : chain) {
        out.add(SigningKeys.pem(List.of(c)));
      }
      return out;
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw Refusal.notSigned("the certificate could not be signed: " + e.getMessage());
    }
  }

  /** A leaf certificate with an empty subject and only {@code names}, signed by this CA. */
  private X509Certificate sign(
      PublicKey key, GeneralNames names, Instant notAfter, KeyPurposeId... purposes)
      throws IOException, GeneralSecurityException {
    Instant now = clock.instant();
    // A leaf outliving its issuer would fail verification before it expires.
    Instant issuerEnd = keys.certificate().getNotAfter().toInstant();
    if (notAfter.isAfter(issuerEnd)) {
      notAfter = issuerEnd;
    }
    X509v3CertificateBuilder builder =
        new X509v3CertificateBuilder(
            new JcaX509CertificateHolder(keys.certificate()).getSubject(),
            SigningKeys.serial(),
            Date.from(now.minus(Duration.ofMinutes(1))),
            Date.from(notAfter),
            new X500Name(new RDN[0]),
            SubjectPublicKeyInfo.getInstance(key.getEncoded()));
    JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    builder.addExtension(
        Extension.keyUsage,
        true,
        new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
    builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes));
    builder.addExtension(
        Extension.authorityKeyIdentifier,
        false,
        ext.createAuthorityKeyIdentifier(keys.certificate()));
    // The subject is empty, so the names are critical (RFC 5280, 4.2.1.6).
    builder.addExtension(Extension.subjectAlternativeName, true, names);
    return SigningKeys.certificate(builder.build(SigningKeys.signer(keys.key())));
  }
}
