package dev.mizzen.ingest.parse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mizzen.ingest.model.Meta;
import dev.mizzen.ingest.model.MtlsMode;
import dev.mizzen.ingest.model.PeerAuthenticationSpec;
import io.fabric8.istio.api.api.security.v1beta1.PeerAuthentication;
import io.fabric8.istio.api.api.security.v1beta1.PeerAuthenticationMutualTLS;
import java.util.LinkedHashMap;
import java.util.Map;

/** Istio PeerAuthentication into {@link PeerAuthenticationSpec}, checked as Istio checks it. */
final class PeerAuthenticationTranslator implements SpecTranslator<PeerAuthenticationSpec> {

  @Override
  public PeerAuthenticationSpec translate(JsonNode object, Meta meta) throws FieldException {
    JsonNode specNode = object.get("spec");
    if (specNode == null || specNode.isNull()) {
      return new PeerAuthenticationSpec(Map.of(), MtlsMode.UNSET, Map.of());
    }
    PeerAuthentication spec =
        Mappers.read(Mappers.STRICT, specNode, PeerAuthentication.class, "spec");
    Map<String, String> selector =
        spec.getSelector() == null
            ? Map.of()
            : Selectors.selector(spec.getSelector().getMatchLabels(), "spec.selector.matchLabels");
    Map<Integer, MtlsMode> ports = new LinkedHashMap<>();
    // istio-model gives an absent map as an empty one: look at what was written.
    JsonNode writtenPorts = specNode.get("portLevelMtls");
    if (writtenPorts != null && writtenPorts.isObject() && writtenPorts.isEmpty()) {
      throw new FieldException(
          "spec.portLevelMtls", "empty: name at least one port, or leave the field out");
    }
    if (spec.getPortLevelMtls() != null && !spec.getPortLevelMtls().isEmpty()) {
      if (selector.isEmpty()) {
        throw new FieldException(
            "spec.portLevelMtls",
            "needs a selector: port numbers only mean something for chosen workloads");
      }
      for (Map.Entry<String, PeerAuthenticationMutualTLS> e : spec.getPortLevelMtls().entrySet()) {
        String field = "spec.portLevelMtls." + e.getKey();
        int port;
        try {
          port = Integer.parseInt(e.getKey());
        } catch (NumberFormatException ex) {
          throw new FieldException(field, "\"" + e.getKey() + "\" is not a port number");
        }
        if (port < 1 || port > 65535) {
          throw new FieldException(field, "must be between 1 and 65535");
        }
        ports.put(port, mode(e.getValue()));
      }
    }
    return new PeerAuthenticationSpec(selector, mode(spec.getMtls()), ports);
  }

  private static MtlsMode mode(PeerAuthenticationMutualTLS mtls) {
    if (mtls == null || mtls.getMode() == null) {
      return MtlsMode.UNSET;
    }
    return switch (mtls.getMode()) {
      case DISABLE -> MtlsMode.DISABLE;
      case PERMISSIVE -> MtlsMode.PERMISSIVE;
      case STRICT -> MtlsMode.STRICT;
      default -> MtlsMode.UNSET;
    };
  }
}
