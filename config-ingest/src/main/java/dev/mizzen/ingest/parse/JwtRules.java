package dev.mizzen.ingest.parse;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mizzen.ingest.model.JwtRule;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;

/** The checks every JWT rule passes, whichever kind it comes from. */
final class JwtRules {
  private static final ObjectMapper JSON = new ObjectMapper();

  private JwtRules() {}

  /**
   * @param f the path of the rule, such as "spec.jwtRules[0]"
   */
  /** Refuses an empty string among a rule's audiences or parameter names, as Istio does. */
  static void requireNonEmpty(List<String> values, String field) throws FieldException {
    for (int i = 0; i < values.size(); i++) {
      if (values.get(i).isEmpty()) {
        throw new FieldException(field + "[" + i + "]", "empty value");
      }
    }
  }

  static JwtRule check(JwtRule rule, String f) throws FieldException {
    if (rule.issuer().isEmpty()) {
      throw new FieldException(f + ".issuer", "required");
    }
    if (rule.jwksUri().isEmpty() && rule.jwks().isEmpty()) {
      throw new FieldException(
          f,
          "one of jwksUri or jwks is required (finding the keys by OpenID discovery is not supported"
              + " by this version of Mizzen)");
    }
    if (!rule.jwksUri().isEmpty() && !rule.jwks().isEmpty()) {
      throw new FieldException(f, "give jwksUri or jwks, not both");
    }
    if (!rule.jwksUri().isEmpty()) {
      try {
        URI uri = new URI(rule.jwksUri());
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
            || uri.getHost() == null) {
          throw new FieldException(f + ".jwksUri", "must be an http or https URL with a host");
        }
      } catch (URISyntaxException e) {
        throw new FieldException(f + ".jwksUri", "not a URL: " + e.getReason());
      }
    }
    if (!rule.jwks().isEmpty()) {
      JsonNode keys;
      try {
        keys = JSON.readTree(rule.jwks());
      } catch (JsonProcessingException e) {
        throw new FieldException(f + ".jwks", "not JSON: " + e.getOriginalMessage());
      }
      if (keys == null || !keys.path("keys").isArray()) {
        throw new FieldException(
            f + ".jwks", "must be a JSON Web Key Set: an object with a \"keys\" list");
      }
    }
    return rule;
  }
}
