package dev.mizzen.tenancy.controller;

import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The mesh's root certificate, as istiod finds it in its namespace: a plugged-in CA's Secret {@code
 * cacerts} ({@code root-cert.pem}) wins; else the self-signed CA's Secret {@code istio-ca-secret},
 * whose root is its own certificate ({@code ca-cert.pem}) unless it names a root.
 */
final class RootCertificate {
  static final String PLUGGED_IN = "cacerts";
  static final String SELF_SIGNED = "istio-ca-secret";
  static final List<String> SECRETS = List.of(PLUGGED_IN, SELF_SIGNED);

  private RootCertificate() {}

  /** The root (PEM) in the first of the two Secrets that holds one. */
  static Optional<String> of(Collection<Secret> secrets) {
    for (String name : SECRETS) {
      for (Secret s : secrets) {
        if (name.equals(s.getMetadata().getName())) {
          Optional<String> root = pem(s, "root-cert.pem").or(() -> pem(s, "ca-cert.pem"));
          if (root.isPresent()) {
            return root;
          }
        }
      }
    }
    return Optional.empty();
  }

  private static Optional<String> pem(Secret secret, String key) {
    Map<String, String> data = Objects.requireNonNullElse(secret.getData(), Map.of());
    String encoded = data.get(key);
    if (encoded != null && !encoded.isBlank()) {
      String pem = new String(Base64.getMimeDecoder().decode(encoded), StandardCharsets.UTF_8);
      if (pem.contains("-----BEGIN CERTIFICATE-----")) {
        return Optional.of(pem);
      }
    }
    Map<String, String> text = Objects.requireNonNullElse(secret.getStringData(), Map.of());
    String plain = text.get(key);
    return plain != null && plain.contains("-----BEGIN CERTIFICATE-----")
        ? Optional.of(plain)
        : Optional.empty();
  }
}
