package dev.mizzen.ingest.model;

import java.util.List;
import java.util.Map;

/**
 * An Istio RequestAuthentication: which JSON Web Tokens workloads accept. A request with an invalid
 * token is refused; one without a token passes (an AuthorizationPolicy can then require one).
 *
 * @param selector the workloads it applies to; empty means the whole namespace (the mesh, in the
 *     root namespace)
 * @param jwtRules one rule per accepted issuer
 */
public record RequestAuthenticationSpec(Map<String, String> selector, List<JwtRule> jwtRules)
    implements Spec {

  public RequestAuthenticationSpec {
    selector = Map.copyOf(selector);
    jwtRules = List.copyOf(jwtRules);
  }
}
