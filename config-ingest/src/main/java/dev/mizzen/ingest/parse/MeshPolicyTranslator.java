package dev.mizzen.ingest.parse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mizzen.ingest.model.JwtRule;
import dev.mizzen.ingest.model.MeshPolicySpec;
import dev.mizzen.ingest.model.Meta;
import dev.mizzen.ingest.model.MtlsMode;
import dev.mizzen.proto.maistra.authentication.v1.Jwt;
import dev.mizzen.proto.maistra.authentication.v1.MutualTls;
import dev.mizzen.proto.maistra.authentication.v1.OriginAuthenticationMethod;
import dev.mizzen.proto.maistra.authentication.v1.PeerAuthenticationMethod;
import dev.mizzen.proto.maistra.authentication.v1.PrincipalBinding;
import dev.mizzen.proto.maistra.authentication.v1.ServiceMeshPolicySpec;
import java.util.ArrayList;
import java.util.List;

/**
 * ServiceMeshPolicy into {@link MeshPolicySpec}: the parts of Istio's old authentication policy
 * that still mean something mesh-wide (peer mTLS mode, origin JWTs), refusing the rest by name.
 */
final class MeshPolicyTranslator implements SpecTranslator<MeshPolicySpec> {

  @Override
  public MeshPolicySpec translate(JsonNode object, Meta meta) throws FieldException {
    JsonNode specNode = object.get("spec");
    ServiceMeshPolicySpec.Builder spec = ServiceMeshPolicySpec.newBuilder();
    if (specNode != null && !specNode.isNull()) {
      ProtoJson.merge(withEmptyMtls(specNode), spec, "spec", false);
    }
    if (spec.getTargetsCount() > 0) {
      throw new FieldException(
          "spec.targets",
          "a ServiceMeshPolicy applies to the whole mesh; use a PeerAuthentication or"
              + " RequestAuthentication with a selector for single workloads");
    }
    if (spec.getPrincipalBinding() == PrincipalBinding.USE_ORIGIN) {
      throw new FieldException(
          "spec.principalBinding", "USE_ORIGIN is not supported by this version of Mizzen");
    }
    MtlsMode mode = MtlsMode.UNSET;
    for (int i = 0; i < spec.getPeersCount(); i++) {
      PeerAuthenticationMethod peer = spec.getPeers(i);
      String f = "spec.peers[" + i + "]";
      if (peer.hasJwt()) {
        throw new FieldException(
            f + ".jwt", "peer JWT authentication is not supported; use origins");
      }
      if (!peer.hasMtls()) {
        throw new FieldException(f, "one of mtls or jwt is required");
      }
      MutualTls mtls = peer.getMtls();
      @SuppressWarnings("deprecation")
      boolean allowTls = mtls.getAllowTls();
      if (allowTls) {
        throw new FieldException(f + ".mtls.allowTls", "not supported by this version of Mizzen");
      }
      if (mode == MtlsMode.UNSET) {
        mode = mtls.getMode() == MutualTls.Mode.PERMISSIVE ? MtlsMode.PERMISSIVE : MtlsMode.STRICT;
      }
    }
    if (mode == MtlsMode.STRICT && spec.getPeerIsOptional()) {
      // An optional peer is one that may come in plain text.
      mode = MtlsMode.PERMISSIVE;
    }
    List<JwtRule> origins = new ArrayList<>();
    for (int i = 0; i < spec.getOriginsCount(); i++) {
      OriginAuthenticationMethod origin = spec.getOrigins(i);
      String f = "spec.origins[" + i + "].jwt";
      if (!origin.hasJwt()) {
        throw new FieldException(f, "required");
      }
      origins.add(jwt(origin.getJwt(), f));
    }
    return new MeshPolicySpec(mode, origins, spec.getOriginIsOptional());
  }

  private static JwtRule jwt(Jwt jwt, String f) throws FieldException {
    if (jwt.getTriggerRulesCount() > 0) {
      throw new FieldException(f + ".triggerRules", "not supported by this version of Mizzen");
    }
    JwtRules.requireNonEmpty(jwt.getAudiencesList(), f + ".audiences");
    JwtRules.requireNonEmpty(jwt.getJwtParamsList(), f + ".jwtParams");
    List<JwtRule.Header> headers = new ArrayList<>();
    for (String h : jwt.getJwtHeadersList()) {
      headers.add(new JwtRule.Header(h, ""));
    }
    return JwtRules.check(
        new JwtRule(
            jwt.getIssuer(),
            jwt.getAudiencesList(),
            jwt.getJwksUri(),
            jwt.getJwks(),
            headers,
            jwt.getJwtParamsList(),
            false),
        f);
  }

  /** {@code peers: [{mtls: }]} (a null mtls) is how many manifests ask for the default mode. */
  private static JsonNode withEmptyMtls(JsonNode spec) {
    JsonNode peers = spec.get("peers");
    if (peers == null || !peers.isArray()) {
      return spec;
    }
    JsonNode copy = spec.deepCopy();
    for (JsonNode peer : copy.get("peers")) {
      if (peer.isObject() && peer.has("mtls") && peer.get("mtls").isNull()) {
        ((ObjectNode) peer).putObject("mtls");
      }
    }
    return copy;
  }
}
