package dev.mizzen.tests;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A throwaway CA and the certificates it signs, made with Bouncy Castle when a test runs. */
final class Certificates {
  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  private final Path dir;
  private final KeyPair caKey;
  private final X509Certificate ca;

  /** A certificate and its key, as PEM files. */
  record Issued(Path certificate, Path privateKey) {}

  Certificates(Path dir) throws Exception {
    this.dir = dir;
    caKey = keyPair();
    ca = sign(new X500Name("CN=Mizzen test CA"), caKey, true, List.of());
    write(dir.resolve("ca.pem"), ca);
  }

  Path caCertificate() {
    return dir.resolve("ca.pem");
  }

  /** The control plane's serving certificate, for 127.0.0.1 and localhost. */
  Issued server() throws Exception {
    return issue(
        "server",
        List.of(
            new GeneralName(GeneralName.dNSName, "localhost"),
            new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
  }

  /** A workload's client certificate carrying {@code uris} (SPIFFE identities, or none). */
  Issued client(String name, String... uris) throws Exception {
    List<GeneralName> names = new ArrayList<>();
    for (String uri : uris) {
      names.add(new GeneralName(GeneralName.uniformResourceIdentifier, uri));
    }
    names.add(new GeneralName(GeneralName.dNSName, name + ".test"));
    return issue(name, names);
  }

  private Issued issue(String name, List<GeneralName> altNames) throws Exception {
    KeyPair key = keyPair();
    X509Certificate cert = sign(new X500Name("CN=" + name), key, false, altNames);
    Path certFile = dir.resolve(name + ".pem");
    Path keyFile = dir.resolve(name + "-key.pem");
    write(certFile, cert);
    StringWriter pem = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(pem)) {
      w.writeObject(new JcaPKCS8Generator(key.getPrivate(), null));
    }
    Files.writeString(keyFile, pem.toString());
    return new Issued(certFile, keyFile);
  }

  private X509Certificate sign(
      X500Name subject, KeyPair key, boolean isCa, List<GeneralName> altNames)
      throws IOException, GeneralSecurityException, OperatorCreationException {
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
    b.addExtension(
        Extension.keyUsage,
        true,
        new KeyUsage(
            isCa
                ? KeyUsage.keyCertSign | KeyUsage.cRLSign
                : KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
    if (!altNames.isEmpty()) {
      b.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(altNames.toArray(GeneralName[]::new)));
    }
    return new JcaX509CertificateConverter()
        .getCertificate(
            b.build(
                new JcaContentSignerBuilder("SHA256withECDSA")
                    .build(isCa ? key.getPrivate() : caKey.getPrivate())));
  }

  private static KeyPair keyPair() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(256);
    return g.generateKeyPair();
  }

  private static void write(Path file, X509Certificate cert) throws IOException {
    StringWriter pem = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(pem)) {
      w.writeObject(cert);
    }
    Files.writeString(file, pem.toString());
  }
}
