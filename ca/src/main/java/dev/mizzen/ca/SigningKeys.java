package dev.mizzen.ca;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * What the CA signs with, in Istio's layout: the signing certificate and its key ({@code
 * ca-cert.pem}, {@code ca-key.pem}), the certificates between it and the root ({@code
 * cert-chain.pem}, empty when it is the root), and the root ({@code root-cert.pem}). A plugged-in
 * CA (istiod's {@code cacerts}) brings all four; a self-signed root is its own signing certificate.
 */
public final class SigningKeys {
  /** The file and Secret keys of Istio's layout. */
  public static final String CA_CERT = "ca-cert.pem";

  public static final String CA_KEY = "ca-key.pem";
  public static final String CERT_CHAIN = "cert-chain.pem";
  public static final String ROOT_CERT = "root-cert.pem";

  private static final SecureRandom RANDOM = new SecureRandom();

  private final X509Certificate certificate;
  private final PrivateKey key;
  private final List<X509Certificate> chain;
  private final X509Certificate root;

  private SigningKeys(
      X509Certificate certificate,
      PrivateKey key,
      List<X509Certificate> chain,
      X509Certificate root) {
    this.certificate = certificate;
    this.key = key;
    this.chain = List.copyOf(chain);
    this.root = root;
  }

  /**
   * Reads Istio's layout from PEM texts; {@code certChain} may be empty and {@code rootCert} empty
   * when the signing certificate is the root.
   *
   * @throws IllegalArgumentException naming what cannot be read or does not fit together
   */
  public static SigningKeys fromPem(
      String caCert, String caKey, String certChain, String rootCert) {
    List<X509Certificate> signing = certificates(CA_CERT, caCert);
    if (signing.size() != 1) {
      throw new IllegalArgumentException(
          CA_CERT + " must hold one certificate, found " + signing.size());
    }
    X509Certificate certificate = signing.get(0);
    PrivateKey key = privateKey(caKey);
    List<X509Certificate> chain = certificates(CERT_CHAIN, certChain);
    List<X509Certificate> roots = certificates(ROOT_CERT, rootCert);
    X509Certificate root = roots.isEmpty() ? certificate : roots.get(0);
    if (certificate.getBasicConstraints() < 0) {
      throw new IllegalArgumentException(CA_CERT + " is not a CA certificate (basicConstraints)");
    }
    if (!belongTogether(certificate, key)) {
      throw new IllegalArgumentException(CA_KEY + " is not the key of " + CA_CERT);
    }
    return new SigningKeys(certificate, key, chain, root);
  }

  /** Reads Istio's layout from the four files of {@code dir} ({@code cert-chain.pem} optional). */
  public static SigningKeys fromDirectory(Path dir) throws IOException {
    return fromPem(
        Files.readString(dir.resolve(CA_CERT)),
        Files.readString(dir.resolve(CA_KEY)),
        optional(dir.resolve(CERT_CHAIN)),
        optional(dir.resolve(ROOT_CERT)));
  }

  /** Reads Istio's layout from a Secret's data, already decoded. */
  public static SigningKeys fromData(Map<String, String> data) {
    for (String required : List.of(CA_CERT, CA_KEY)) {
      if (data.getOrDefault(required, "").isBlank()) {
        throw new IllegalArgumentException("no " + required);
      }
    }
    return fromPem(
        data.get(CA_CERT),
        data.get(CA_KEY),
        data.getOrDefault(CERT_CHAIN, ""),
        data.getOrDefault(ROOT_CERT, ""));
  }

  /**
   * A new self-signed root, as istiod makes one when no CA is plugged in: RSA 2048, its
   * organization the trust domain, valid for {@code ttl}.
   */
  public static SigningKeys selfSigned(String trustDomain, Duration ttl, Clock clock) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048, RANDOM);
      KeyPair pair = generator.generateKeyPair();
      X500Name name = new X500Name("O=" + trustDomain);
      Instant now = clock.instant();
      X509v3CertificateBuilder builder =
          new X509v3CertificateBuilder(
              name,
              serial(),
              Date.from(now.minus(Duration.ofMinutes(1))),
              Date.from(now.plus(ttl)),
              name,
              SubjectPublicKeyInfo.getInstance(pair.getPublic().getEncoded()));
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      builder.addExtension(
          Extension.keyUsage,
          true,
          new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
      builder.addExtension(
          Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
      X509Certificate root = certificate(builder.build(signer(pair.getPrivate())));
      return new SigningKeys(root, pair.getPrivate(), List.of(), root);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("a root could not be made: " + e.getMessage(), e);
    }
  }

  /** This layout as a Secret's data (PEM texts), as istiod keeps its self-signed root. */
  public Map<String, String> toData() {
    Map<String, String> data = new LinkedHashMap<>();
    data.put(CA_CERT, pem(List.of(certificate)));
    data.put(CA_KEY, pem(List.of(key)));
    data.put(CERT_CHAIN, pem(new ArrayList<>(chain)));
    data.put(ROOT_CERT, pem(List.of(root)));
    return data;
  }

  public X509Certificate certificate() {
    return certificate;
  }

  PrivateKey key() {
    return key;
  }

  public X509Certificate root() {
    return root;
  }

  /** The root, PEM-encoded, as proxies are to trust it. */
  public String rootPem() {
    return pem(List.of(root));
  }

  /**
   * What follows a leaf it signs in the chain handed out: the signing certificate, the chain, and
   * the root, each once.
   */
  List<X509Certificate> issuerChain() {
    List<X509Certificate> out = new ArrayList<>();
    out.add(certificate);
    for (X509Certificate c : chain) {
      if (!out.contains(c)) {
        out.add(c);
      }
    }
    if (!out.contains(root)) {
      out.add(root);
    }
    return out;
  }

  static ContentSigner signer(PrivateKey key) {
    String algorithm =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC", "ECDSA" -> "SHA256withECDSA";
          default ->
              throw new IllegalArgumentException(
                  "a CA key of type " + key.getAlgorithm() + " cannot sign; use RSA or ECDSA");
        };
    try {
      return new JcaContentSignerBuilder(algorithm).build(key);
    } catch (OperatorCreationException e) {
      throw new IllegalArgumentException("the CA key cannot sign: " + e.getMessage(), e);
    }
  }

  /** Whether what {@code key} signs verifies with {@code certificate}'s public key. */
  private static boolean belongTogether(X509Certificate certificate, PrivateKey key) {
    String algorithm = key.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
    byte[] probe = "mizzen".getBytes(StandardCharsets.US_ASCII);
    try {
      Signature sign = Signature.getInstance(algorithm);
      sign.initSign(key);
      sign.update(probe);
      byte[] signature = sign.sign();
      Signature verify = Signature.getInstance(algorithm);
      verify.initVerify(certificate.getPublicKey());
      verify.update(probe);
      return verify.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  static BigInteger serial() {
    return new BigInteger(127, RANDOM).add(BigInteger.ONE);
  }

  static X509Certificate certificate(X509CertificateHolder holder) {
    try {
      return new JcaX509CertificateConverter().getCertificate(holder);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** PEM blocks for certificates, CSRs and keys; private keys as PKCS #8 ("PRIVATE KEY"). */
  static String pem(List<?> objects) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      for (Object o : objects) {
        if (o instanceof PrivateKey key) {
          writer.writeObject(new JcaPKCS8Generator(key, null));
        } else {
          writer.writeObject(o);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  private static String optional(Path file) throws IOException {
    try {
      return Files.readString(file);
    } catch (NoSuchFileException e) {
      return "";
    }
  }

  private static List<X509Certificate> certificates(String what, String pem) {
    List<X509Certificate> out = new ArrayList<>();
    try (PEMParser parser = new PEMParser(new StringReader(Objects.requireNonNullElse(pem, "")))) {
      Object o;
      while ((o = parser.readObject()) != null) {
        if (!(o instanceof X509CertificateHolder holder)) {
          throw new IllegalArgumentException(what + " holds something that is not a certificate");
        }
        out.add(certificate(holder));
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(what + " cannot be read: " + e.getMessage(), e);
    }
    return out;
  }

  private static PrivateKey privateKey(String pem) {
    try (PEMParser parser = new PEMParser(new StringReader(Objects.requireNonNullElse(pem, "")))) {
      Object o = parser.readObject();
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      if (o instanceof PEMKeyPair pair) {
        return converter.getKeyPair(pair).getPrivate();
      }
      if (o instanceof PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
      throw new IllegalArgumentException(CA_KEY + " holds no private key");
    } catch (IOException e) {
      throw new IllegalArgumentException(CA_KEY + " cannot be read: " + e.getMessage(), e);
    }
  }
}
