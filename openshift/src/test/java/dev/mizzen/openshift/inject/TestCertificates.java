package dev.mizzen.openshift.inject;

import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway CA, made with Bouncy Castle when a test runs, and the webhook's serving certificate
 * it signs for 127.0.0.1, with the key written as OpenShift's service CA writes it (PKCS#1 RSA) or
 * as PKCS#8.
 */
final class TestCertificates {
  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  private final KeyPair caKey;
  private final X509Certificate ca;

  TestCertificates() throws Exception {
    caKey = keyPair("EC");
    ca = sign(new X500Name("CN=Mizzen webhook test CA"), caKey, true);
  }

  /** The CA's certificate. */
  X509Certificate ca() {
    return ca;
  }

  /** Writes the CA's certificate, as PEM, into {@code file}. */
  void writeCa(Path file) throws Exception {
    Files.writeString(file, pem(ca));
  }

  /** A client context trusting only this CA. */
  SSLContext clientContext() throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  /**
   * Writes a serving certificate for 127.0.0.1 and its key into {@code cert} and {@code key}.
   *
   * @param pkcs1 an RSA key in PKCS#1 ("RSA PRIVATE KEY"), else an EC key in PKCS#8
   * @return the certificate
   */
  X509Certificate server(Path cert, Path key, boolean pkcs1) throws Exception {
    return server(cert, key, pkcs1, true);
  }

  /**
   * The same, the CA's certificate after the server's in {@code cert} or not (as cert-manager
   * writes it, the CA apart in {@code ca.crt}).
   */
  X509Certificate server(Path cert, Path key, boolean pkcs1, boolean withCa) throws Exception {
    KeyPair pair = keyPair(pkcs1 ? "RSA" : "EC");
    X509Certificate c = sign(new X500Name("CN=mizzen.istio-system.svc"), pair, false);
    Files.writeString(cert, pem(c) + (withCa ? pem(ca) : ""));
    Files.writeString(
        key, pkcs1 ? pem(pair.getPrivate()) : pem(new JcaPKCS8Generator(pair.getPrivate(), null)));
    return c;
  }

  private X509Certificate sign(X500Name subject, KeyPair key, boolean isCa) throws Exception {
    Instant now = Instant.now();
    X500Name issuer = isCa ? subject : new X500Name(ca.getSubjectX500Principal().getName());
    JcaX509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            issuer,
            BigInteger.valueOf(SERIAL.incrementAndGet()),
            Date.from(now.minus(Duration.ofMinutes(5))),
            Date.from(now.plus(Duration.ofHours(1))),
            subject,
            key.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
    if (!isCa) {
      b.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(
              new GeneralName[] {new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
    }
    return new JcaX509CertificateConverter()
        .getCertificate(
            b.build(
                new JcaContentSignerBuilder("SHA256withECDSA")
                    .build(isCa ? key.getPrivate() : caKey.getPrivate())));
  }

  private static KeyPair keyPair(String algorithm) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
    g.initialize(algorithm.equals("RSA") ? 2048 : 256);
    return g.generateKeyPair();
  }

  private static String pem(Object o) throws Exception {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(o);
    }
    return out.toString();
  }
}
