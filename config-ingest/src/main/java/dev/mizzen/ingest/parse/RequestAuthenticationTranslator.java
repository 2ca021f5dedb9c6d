package dev.mizzen.ingest.parse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mizzen.ingest.model.JwtRule;
import dev.mizzen.ingest.model.Meta;
import dev.mizzen.ingest.model.RequestAuthenticationSpec;
import io.fabric8.istio.api.api.security.v1beta1.JWTHeader;
import io.fabric8.istio.api.api.security.v1beta1.JWTRule;
import io.fabric8.istio.api.api.security.v1beta1.RequestAuthentication;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** Istio RequestAuthentication into {@link RequestAuthenticationSpec}. */
final class RequestAuthenticationTranslator implements SpecTranslator<RequestAuthenticationSpec> {

  @Override
  public RequestAuthenticationSpec translate(JsonNode object, Meta meta) throws FieldException {
    JsonNode specNode = object.get("spec");
    if (specNode == null || specNode.isNull()) {
      return new RequestAuthenticationSpec(Map.of(), List.of());
    }
    RequestAuthentication spec =
        Mappers.read(Mappers.STRICT, specNode, RequestAuthentication.class, "spec");
    // istio-model ignores targetRef when reading, so look for it as written.
    Unsupported.refuse(specNode.get("targetRef"), "spec.targetRef");
    Unsupported.refuseNonEmpty(spec.getTargetRefs(), "spec.targetRefs");
    Map<String, String> selector =
        spec.getSelector() == null
            ? Map.of()
            : Selectors.selector(spec.getSelector().getMatchLabels(), "spec.selector.matchLabels");
    List<JwtRule> rules = new ArrayList<>();
    List<JWTRule> written = spec.getJwtRules() == null ? List.of() : spec.getJwtRules();
    Set<String> issuers = new HashSet<>();
    for (int i = 0; i < written.size(); i++) {
      String f = "spec.jwtRules[" + i + "]";
      JwtRule rule = rule(written.get(i), f);
      if (!issuers.add(rule.issuer())) {
        throw new FieldException(f + ".issuer", "duplicate issuer \"" + rule.issuer() + "\"");
      }
      rules.add(rule);
    }
    return new RequestAuthenticationSpec(selector, rules);
  }

  private static JwtRule rule(JWTRule r, String f) throws FieldException {
    Unsupported.refuseNonEmpty(r.getOutputClaimToHeaders(), f + ".outputClaimToHeaders");
    Unsupported.refuse(r.getOutputPayloadToHeader(), f + ".outputPayloadToHeader");
    Unsupported.refuseNonEmpty(r.getFromCookies(), f + ".fromCookies");
    Unsupported.refuseNonEmpty(r.getSpaceDelimitedClaims(), f + ".spaceDelimitedClaims");
    Unsupported.refuse(r.getTimeout(), f + ".timeout");
    JwtRules.requireNonEmpty(
        r.getAudiences() == null ? List.of() : r.getAudiences(), f + ".audiences");
    JwtRules.requireNonEmpty(
        r.getFromParams() == null ? List.of() : r.getFromParams(), f + ".fromParams");
    List<JwtRule.Header> headers = new ArrayList<>();
    List<JWTHeader> written = r.getFromHeaders() == null ? List.of() : r.getFromHeaders();
    for (int i = 0; i < written.size(); i++) {
      JWTHeader h = written.get(i);
      if (h.getName() == null || h.getName().isEmpty()) {
        throw new FieldException(f + ".fromHeaders[" + i + "].name", "required");
      }
      headers.add(new JwtRule.Header(h.getName(), Objects.requireNonNullElse(h.getPrefix(), "")));
    }
    return JwtRules.check(
        new JwtRule(
            Objects.requireNonNullElse(r.getIssuer(), ""),
            r.getAudiences() == null ? List.of() : r.getAudiences(),
            Objects.requireNonNullElse(r.getJwksUri(), ""),
            Objects.requireNonNullElse(r.getJwks(), ""),
            headers,
            r.getFromParams() == null ? List.of() : r.getFromParams(),
            Boolean.TRUE.equals(r.getForwardOriginalToken())),
        f);
  }
}
