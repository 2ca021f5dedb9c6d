package dev.mizzen.ca;

import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Who is asking, from what the caller proved, never from what it says: a Kubernetes service-account
 * token in the call's {@code authorization: Bearer} header, checked by the API server with a
 * TokenReview for the audience {@code istio-ca} (as istiod checks third-party tokens), or else the
 * client certificate of the TLS handshake, when this CA issued it and it has not expired (a
 * renewal). Only namespaces of this control plane's members are answered.
 */
public final class Callers {
  /** The audience Istio's agent asks its token for. */
  public static final String AUDIENCE = "istio-ca";

  private static final Pattern JWT =
      Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*");
  private static final int URI_NAME = 6;

  /** Checks a token; the API server's TokenReview in a cluster. */
  public interface TokenReviewer {
    /**
     * @return the service account the token belongs to
     * @throws Refusal when the token is not accepted
     */
    WorkloadIdentity review(String token) throws Refusal;
  }

  private final Optional<TokenReviewer> tokens;
  private final SigningKeys keys;
  private final String trustDomain;
  private final Predicate<String> member;
  private final Clock clock;

  /**
   * @param tokens the token check; empty where there is no API server (certificates only)
   * @param member whether a namespace is a member of this control plane's mesh
   */
  public Callers(
      Optional<TokenReviewer> tokens,
      SigningKeys keys,
      String trustDomain,
      Predicate<String> member,
      Clock clock) {
    this.tokens = Objects.requireNonNull(tokens);
    this.keys = Objects.requireNonNull(keys);
    this.trustDomain = Objects.requireNonNull(trustDomain);
    this.member = Objects.requireNonNull(member);
    this.clock = Objects.requireNonNull(clock);
  }

  /** The API server's TokenReview, for {@link #AUDIENCE}. */
  public static TokenReviewer tokenReview(KubernetesClient client) {
    return token -> {
      TokenReview asked =
          new TokenReviewBuilder()
              .withNewSpec()
              .withToken(token)
              .withAudiences(AUDIENCE)
              .endSpec()
              .build();
      TokenReview answer;
      try {
        answer = client.authentication().v1().tokenReviews().create(asked);
      } catch (KubernetesClientException e) {
        throw Refusal.unchecked(
            "the token could not be checked with the API server: " + e.getMessage());
      }
      TokenReviewStatus status = answer == null ? null : answer.getStatus();
      if (status == null || !Boolean.TRUE.equals(status.getAuthenticated())) {
        String why = status == null || status.getError() == null ? "" : ": " + status.getError();
        throw Refusal.unauthenticated("the API server did not accept the token" + why);
      }
      List<String> audiences = status.getAudiences();
      if (audiences != null && !audiences.isEmpty() && !audiences.contains(AUDIENCE)) {
        throw Refusal.unauthenticated(
            "the token is for " + audiences + ", not for the audience " + AUDIENCE);
      }
      return WorkloadIdentity.ofUser(
          status.getUser() == null ? null : status.getUser().getUsername());
    };
  }

  /**
   * The caller of one call.
   *
   * @param authorization the call's {@code authorization} header, null when none
   * @param tls the TLS session, null on plain text
   * @throws Refusal when it proves nothing, or is not of a member namespace
   */
  public WorkloadIdentity authenticate(String authorization, SSLSession tls) throws Refusal {
    WorkloadIdentity caller;
    if (authorization != null) {
      caller = byToken(authorization);
    } else {
      Optional<X509Certificate> certificate = peerCertificate(tls);
      if (certificate.isEmpty()) {
        throw Refusal.unauthenticated(
            "no credentials: send a service-account token (authorization: Bearer, audience "
                + AUDIENCE
                + ") or present a certificate this CA issued");
      }
      caller = byCertificate(certificate.get());
    }
    if (!member.test(caller.namespace())) {
      throw Refusal.denied(
          "namespace \""
              + caller.namespace()
              + "\" is not a member of this control plane's mesh; it issues no identity there");
    }
    return caller;
  }

  private WorkloadIdentity byToken(String authorization) throws Refusal {
    if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw Refusal.unauthenticated("the authorization header must be \"Bearer TOKEN\"");
    }
    String token = authorization.substring(7).trim();
    if (!JWT.matcher(token).matches()) {
      throw Refusal.unauthenticated("the bearer token is not a JSON Web Token");
    }
    if (tokens.isEmpty()) {
      throw Refusal.unauthenticated(
          "tokens cannot be checked without an API server; present a certificate this CA issued");
    }
    return tokens.get().review(token);
  }

  private static Optional<X509Certificate> peerCertificate(SSLSession tls) {
    if (tls == null) {
      return Optional.empty();
    }
    try {
      Certificate[] chain = tls.getPeerCertificates();
      return chain.length > 0 && chain[0] instanceof X509Certificate leaf
          ? Optional.of(leaf)
          : Optional.empty();
    } catch (SSLPeerUnverifiedException e) {
      return Optional.empty();
    }
  }

  private WorkloadIdentity byCertificate(X509Certificate leaf) throws Refusal {
    try {
      leaf.verify(keys.certificate().getPublicKey());
    } catch (GeneralSecurityException e) {
      throw Refusal.unauthenticated("the client certificate was not issued by this CA");
    }
    Date now = Date.from(clock.instant());
    if (now.after(leaf.getNotAfter()) || now.before(leaf.getNotBefore())) {
      throw Refusal.unauthenticated(
          "the client certificate is valid from "
              + leaf.getNotBefore().toInstant()
              + " to "
              + leaf.getNotAfter().toInstant()
              + ", not now");
    }
    List<String> uris = new ArrayList<>();
    try {
      Collection<List<?>> names = leaf.getSubjectAlternativeNames();
      if (names != null) {
        for (List<?> n : names) {
          if (n.size() == 2 && Integer.valueOf(URI_NAME).equals(n.get(0))) {
            uris.add(String.valueOf(n.get(1)));
          }
        }
      }
    } catch (CertificateParsingException e) {
      throw Refusal.unauthenticated("the client certificate's names cannot be read");
    }
    if (uris.size() != 1) {
      throw Refusal.unauthenticated(
          "the client certificate must name exactly one SPIFFE identity, found " + uris);
    }
    return WorkloadIdentity.ofSpiffe(uris.get(0), trustDomain);
  }
}
