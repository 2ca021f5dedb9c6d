package dev.mizzen.testing.pki;

import java.io.IOException;
import java.io.StringWriter;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** Keys, certificate requests and PEM texts as Istio's agent makes them, for the tests. */
public final class Csrs {
  private Csrs() {}

  public static KeyPair rsa(int bits) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(bits);
    return g.generateKeyPair();
  }

  public static KeyPair ec(String curve) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec(curve));
    return g.generateKeyPair();
  }

  /** A CSR signed by {@code key} asking for {@code names} ("URI:...", "DNS:..."). */
  public static String csr(KeyPair key, List<String> names) throws Exception {
    JcaPKCS10CertificationRequestBuilder b =
        new JcaPKCS10CertificationRequestBuilder(new X500Name(new RDN[0]), key.getPublic());
    if (!names.isEmpty()) {
      GeneralName[] general = new GeneralName[names.size()];
      for (int i = 0; i < names.size(); i++) {
        String n = names.get(i);
        general[i] =
            n.startsWith("URI:")
                ? new GeneralName(GeneralName.uniformResourceIdentifier, n.substring(4))
                : new GeneralName(GeneralName.dNSName, n.substring(4));
      }
      ExtensionsGenerator ext = new ExtensionsGenerator();
      ext.addExtension(Extension.subjectAlternativeName, true, new GeneralNames(general));
      b.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext.generate());
    }
    String algorithm =
        key.getPrivate().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
    PKCS10CertificationRequest csr =
        b.build(new JcaContentSignerBuilder(algorithm).build(key.getPrivate()));
    return pem(csr);
  }

  public static String csr(KeyPair key, String spiffe) throws Exception {
    return csr(key, List.of("URI:" + spiffe));
  }

  /** PEM blocks of certificates, CSRs and keys; private keys as PKCS #8 ("PRIVATE KEY"). */
  public static String pem(Object... objects) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      for (Object o : objects) {
        w.writeObject(o instanceof PrivateKey key ? new JcaPKCS8Generator(key, null) : o);
      }
    }
    return out.toString();
  }
}
