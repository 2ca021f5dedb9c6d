package dev.mizzen.ingest.model;

import java.util.List;
import java.util.Objects;

/**
 * How to validate JSON Web Tokens of one issuer: a RequestAuthentication's {@code jwtRules[]}
 * entry, or a ServiceMeshPolicy's {@code origins[].jwt}.
 *
 * @param issuer the token issuer ({@code iss})
 * @param audiences accepted audiences ({@code aud}); empty accepts any
 * @param jwksUri where to fetch the public keys, empty when {@code jwks} is given
 * @param jwks the public keys inline, as a JSON Web Key Set; empty when {@code jwksUri} is given
 * @param fromHeaders headers the token may come in; empty means Authorization: Bearer
 * @param fromParams query parameters the token may come in
 * @param forwardOriginalToken whether the token is passed on upstream
 */
public record JwtRule(
    String issuer,
    List<String> audiences,
    String jwksUri,
    String jwks,
    List<Header> fromHeaders,
    List<String> fromParams,
    boolean forwardOriginalToken) {

  public JwtRule {
    Objects.requireNonNull(issuer, "issuer");
    audiences = List.copyOf(audiences);
    Objects.requireNonNull(jwksUri, "jwksUri");
    Objects.requireNonNull(jwks, "jwks");
    fromHeaders = List.copyOf(fromHeaders);
    fromParams = List.copyOf(fromParams);
  }

  /**
   * A header a token may come in.
   *
   * @param name the header name
   * @param prefix what precedes the token in the value, such as "Bearer "
   */
  public record Header(String name, String prefix) {
    public Header {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(prefix, "prefix");
    }
  }
}
