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

  /**
   * The rule served for a RequestAuthentication (or ServiceMeshPolicy origin) that cannot be read:
   * no issuer, so it takes every token, and one RSA key whose private half was never kept, so no
   * token verifies. A request carrying a token that no readable rule accepts is therefore refused,
   * as a proxy refuses a token whose keys it cannot get.
   */
  public static final JwtRule REFUSE_EVERY_TOKEN =
      new JwtRule(
          "",
          List.of(),
          "",
          "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"mizzen-fail-closed\",\"alg\":\"RS256\",\"e\":\"AQAB\","
              + "\"n\":\"1eM1npJ9zdY64BUQZJQBahXjiz-PE10QDf57gf-nBuQMcE8cg8VNmC1aBayfzTye_U0lZaPzQ_sGAcZn9f0y"
              + "cRhSOvxTeAyGIdI3Ax10_FSwFQ6bX2UFaoHRbso5SMRl1OfG99ccvY3S7qnSXu9Uqz-_BqNb9RYIGO-9-yOh5eO1MiDi4C1m"
              + "N-GRTueF94K_--uIXHXEbdmbnIIbIb6P7-Ma5KXiq4KbUE8o-Dnb5_iPGzlfPr-pMT0V1g0b-GjyGw0hADY8yd74ek-BIXk4"
              + "e9XdkrEnhEsVEqK8wWswBhXYx3DKlxASFWDnapT_4RxpUbGChKLhRuFaBjFM0lc8kQ\"}]}",
          List.of(),
          List.of(),
          false);

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
