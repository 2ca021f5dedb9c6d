package dev.mizzen.pilot.xds;

import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * The workload identity in a proxy's verified client certificate: the SPIFFE URI Istio's CA puts in
 * the subject alternative names, {@code spiffe://TRUST_DOMAIN/ns/NAMESPACE/sa/SERVICE_ACCOUNT}.
 *
 * @param uri the SPIFFE URI as written
 * @param trustDomain the trust domain
 * @param namespace the workload's namespace
 * @param serviceAccount the workload's service account
 */
record PeerIdentity(String uri, String trustDomain, String namespace, String serviceAccount) {
  private static final int URI_NAME = 6;

  /** Whether the TLS peer presented a certificate the handshake verified. */
  static boolean presentedCertificate(SSLSession session) {
    try {
      return session.getPeerCertificates().length > 0;
    } catch (SSLPeerUnverifiedException e) {
      return false;
    }
  }

  /** Reads the identity of a TLS peer; refuses a peer without exactly one valid SPIFFE URI. */
  static PeerIdentity of(SSLSession session) throws InvalidIdentityException {
    Certificate[] chain;
    try {
      chain = session.getPeerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      throw new InvalidIdentityException("the client presented no verified certificate");
    }
    if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
      throw new InvalidIdentityException("the client presented no X.509 certificate");
    }
    List<String> spiffe = new ArrayList<>();
    try {
      Collection<List<?>> names = leaf.getSubjectAlternativeNames();
      if (names != null) {
        for (List<?> name : names) {
          if (name.size() == 2
              && Integer.valueOf(URI_NAME).equals(name.get(0))
              && name.get(1) instanceof String uri
              && uri.startsWith("spiffe://")) {
            spiffe.add(uri);
          }
        }
      }
    } catch (CertificateParsingException e) {
      throw new InvalidIdentityException(
          "the client certificate's subject alternative names cannot be read: " + e.getMessage());
    }
    if (spiffe.size() != 1) {
      throw new InvalidIdentityException(
          "the client certificate must carry exactly one SPIFFE URI (spiffe://TRUST_DOMAIN/ns/NAMESPACE/sa/SERVICE_ACCOUNT), found "
              + spiffe);
    }
    return parse(spiffe.get(0));
  }

  static PeerIdentity parse(String uri) throws InvalidIdentityException {
    String[] parts = uri.substring("spiffe://".length()).split("/", -1);
    if (parts.length != 5
        || parts[0].isEmpty()
        || !parts[1].equals("ns")
        || parts[2].isEmpty()
        || !parts[3].equals("sa")
        || parts[4].isEmpty()) {
      throw new InvalidIdentityException(
          "the client certificate's SPIFFE URI \""
              + uri
              + "\" is not of the form spiffe://TRUST_DOMAIN/ns/NAMESPACE/sa/SERVICE_ACCOUNT");
    }
    return new PeerIdentity(uri, parts[0], parts[2], parts[4]);
  }

  /** Why a peer has no usable identity. */
  static final class InvalidIdentityException extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidIdentityException(String message) {
      super(message, null, false, false);
    }
  }
}
