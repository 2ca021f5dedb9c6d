package dev.mizzen.tenancy.controller;

import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The Secrets that hold the mesh's CA in the control plane's namespace, as istiod finds them: a
 * plugged-in CA's {@code cacerts} wins; else the self-signed CA's {@code istio-ca-secret}. Both in
 * Istio's layout ({@code ca-cert.pem}, {@code ca-key.pem}, {@code cert-chain.pem}, {@code
 * root-cert.pem}). The CA signs with them; the member controller publishes their root.
 */
public final class CaSecrets {
  public static final String PLUGGED_IN = "cacerts";
  public static final String SELF_SIGNED = "istio-ca-secret";

  /** Both, in the order they are looked for. */
  public static final List<String> SECRETS = List.of(PLUGGED_IN, SELF_SIGNED);

  private static final String CERTIFICATE = "-----BEGIN CERTIFICATE-----";

  private CaSecrets() {}

  /**
   * A Secret's values as text: its {@code data} decoded, with its {@code stringData} over them, as
   * the API server merges the two when it stores a Secret.
   */
  public static Map<String, String> text(Secret secret) {
    Map<String, String> out = new LinkedHashMap<>();
    Objects.requireNonNullElse(secret.getData(), Map.<String, String>of())
        .forEach(
            (k, v) ->
                out.put(k, new String(Base64.getMimeDecoder().decode(v), StandardCharsets.UTF_8)));
    out.putAll(Objects.requireNonNullElse(secret.getStringData(), Map.of()));
    return out;
  }

  /**
   * The root (PEM) in the first of the two Secrets that holds one: its {@code root-cert.pem}, else
   * its own certificate ({@code ca-cert.pem}) when it is the root.
   */
  static Optional<String> root(Collection<Secret> secrets) {
    for (String name : SECRETS) {
      for (Secret s : secrets) {
        if (name.equals(s.getMetadata().getName())) {
          Map<String, String> text = text(s);
          for (String key : List.of("root-cert.pem", "ca-cert.pem")) {
            String pem = text.get(key);
            if (pem != null && pem.contains(CERTIFICATE)) {
              return Optional.of(pem);
            }
          }
        }
      }
    }
    return Optional.empty();
  }
}
