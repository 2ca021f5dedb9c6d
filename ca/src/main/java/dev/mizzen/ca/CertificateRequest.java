package dev.mizzen.ca;

import java.io.IOException;
import java.io.StringReader;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.jce.spec.ECNamedCurveSpec;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * A PKCS #10 certificate request as the CA accepts it: PEM-encoded, signed by the key it carries,
 * an RSA key of 2048 to 8192 bits or an ECDSA key on P-256 or P-384, and asking for exactly one
 * subject alternative name, the caller's SPIFFE URI.
 */
final class CertificateRequest {
  /** Bouncy Castle's provider, for the key and signature types of CSRs; not installed globally. */
  private static final BouncyCastleProvider BC = new BouncyCastleProvider();

  static final int MIN_RSA_BITS = 2048;
  static final int MAX_RSA_BITS = 8192;

  private final PKCS10CertificationRequest csr;
  private final PublicKey key;

  private CertificateRequest(PKCS10CertificationRequest csr, PublicKey key) {
    this.csr = csr;
    this.key = key;
  }

  PKCS10CertificationRequest csr() {
    return csr;
  }

  PublicKey key() {
    return key;
  }

  /**
   * Reads and checks {@code pem} for {@code spiffe}, the one name it may ask for.
   *
   * @throws Refusal naming what is wrong with it
   */
  static CertificateRequest read(String pem, String spiffe) throws Refusal {
    PKCS10CertificationRequest csr = parse(pem);
    PublicKey key;
    try {
      key = new JcaPKCS10CertificationRequest(csr).setProvider(BC).getPublicKey();
    } catch (Exception e) {
      throw Refusal.badCsr("the CSR's public key cannot be read: " + e.getMessage());
    }
    checkKey(key);
    try {
      if (!csr.isSignatureValid(
          new JcaContentVerifierProviderBuilder()
              .setProvider(BC)
              .build(csr.getSubjectPublicKeyInfo()))) {
        throw Refusal.badCsr("the CSR's signature does not verify with the key it carries");
      }
    } catch (Refusal r) {
      throw r;
    } catch (Exception e) {
      throw Refusal.badCsr("the CSR's signature cannot be checked: " + e.getMessage());
    }
    checkNames(csr, spiffe);
    return new CertificateRequest(csr, key);
  }

  private static PKCS10CertificationRequest parse(String pem) throws Refusal {
    if (pem == null || pem.isBlank()) {
      throw Refusal.badCsr("no CSR: csr is empty");
    }
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object o = parser.readObject();
      if (o instanceof PKCS10CertificationRequest csr) {
        if (parser.readObject() != null) {
          throw Refusal.badCsr("the CSR field holds more than one PEM block");
        }
        return csr;
      }
      throw Refusal.badCsr(
          o == null
              ? "the CSR is not PEM-encoded (no -----BEGIN CERTIFICATE REQUEST----- block)"
              : "the PEM block is not a certificate request");
    } catch (IOException | RuntimeException e) {
      throw Refusal.badCsr("the CSR cannot be read: " + e.getMessage());
    }
  }

  private static void checkKey(PublicKey key) throws Refusal {
    if (key instanceof RSAPublicKey rsa) {
      int bits = rsa.getModulus().bitLength();
      if (bits < MIN_RSA_BITS || bits > MAX_RSA_BITS) {
        throw Refusal.badCsr(
            "the CSR's RSA key has "
                + bits
                + " bits; keys of "
                + MIN_RSA_BITS
                + " to "
                + MAX_RSA_BITS
                + " bits are signed");
      }
      return;
    }
    if (key instanceof ECPublicKey ec) {
      String curve = curve(ec);
      if (!curve.equals("P-256") && !curve.equals("P-384")) {
        throw Refusal.badCsr(
            "the CSR's ECDSA key is on " + curve + "; keys on P-256 or P-384 are signed");
      }
      return;
    }
    throw Refusal.badCsr(
        "the CSR's key is of type " + key.getAlgorithm() + "; RSA and ECDSA keys are signed");
  }

  private static String curve(ECPublicKey key) {
    if (key.getParams() instanceof ECNamedCurveSpec named) {
      String name = named.getName();
      return switch (name) {
        case "prime256v1", "secp256r1", "P-256" -> "P-256";
        case "secp384r1", "P-384" -> "P-384";
        default -> name;
      };
    }
    int bits = key.getParams().getCurve().getField().getFieldSize();
    String order = key.getParams().getOrder().toString(16);
    // Unnamed parameters: recognize the two curves by their field size and order.
    if (bits == 256
        && order.equals("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551")) {
      return "P-256";
    }
    if (bits == 384
        && order.equals(
            "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973")) {
      return "P-384";
    }
    return "a curve of " + bits + " bits that is neither P-256 nor P-384";
  }

  private static void checkNames(PKCS10CertificationRequest csr, String spiffe) throws Refusal {
    List<String> names = new ArrayList<>();
    for (Attribute a : csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
      for (ASN1Encodable value : a.getAttributeValues()) {
        Extensions extensions = Extensions.getInstance(value);
        GeneralNames sans =
            GeneralNames.fromExtensions(extensions, Extension.subjectAlternativeName);
        if (sans == null) {
          continue;
        }
        for (GeneralName n : sans.getNames()) {
          names.add(describe(n));
        }
      }
    }
    String wanted = "URI:" + spiffe;
    for (String name : names) {
      if (!name.equals(wanted)) {
        throw Refusal.denied(
            "the CSR asks for the subject alternative name "
                + name
                + ", which is not allowed: the caller may be issued "
                + wanted
                + " only");
      }
    }
    if (names.size() != 1) {
      throw Refusal.badCsr(
          names.isEmpty()
              ? "the CSR asks for no subject alternative name; it must ask for " + wanted
              : "the CSR asks for " + wanted + " more than once");
    }
  }

  private static String describe(GeneralName n) {
    return switch (n.getTagNo()) {
      case GeneralName.uniformResourceIdentifier -> "URI:" + n.getName();
      case GeneralName.dNSName -> "DNS:" + n.getName();
      case GeneralName.iPAddress -> "IP:" + n.getName();
      case GeneralName.rfc822Name -> "email:" + n.getName();
      default -> "(name of type " + n.getTagNo() + ") " + n.getName();
    };
  }
}
