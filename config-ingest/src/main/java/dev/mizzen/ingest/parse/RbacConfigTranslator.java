package dev.mizzen.ingest.parse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mizzen.ingest.model.Meta;
import dev.mizzen.ingest.model.RbacConfigSpec;
import dev.mizzen.proto.maistra.rbac.v1.ServiceMeshRbacConfigSpec;
import java.util.List;

/** ServiceMeshRbacConfig into {@link RbacConfigSpec}. */
final class RbacConfigTranslator implements SpecTranslator<RbacConfigSpec> {

  @Override
  public RbacConfigSpec translate(JsonNode object, Meta meta) throws FieldException {
    JsonNode specNode = object.get("spec");
    ServiceMeshRbacConfigSpec.Builder spec = ServiceMeshRbacConfigSpec.newBuilder();
    if (specNode != null && !specNode.isNull()) {
      ProtoJson.merge(withModeText(specNode), spec, "spec", false);
    }
    RbacConfigSpec.Mode mode =
        switch (spec.getMode()) {
          case ON -> RbacConfigSpec.Mode.ON;
          case ON_WITH_INCLUSION -> RbacConfigSpec.Mode.ON_WITH_INCLUSION;
          case ON_WITH_EXCLUSION -> RbacConfigSpec.Mode.ON_WITH_EXCLUSION;
          default -> RbacConfigSpec.Mode.OFF;
        };
    if (mode == RbacConfigSpec.Mode.ON_WITH_INCLUSION && !spec.hasInclusion()) {
      throw new FieldException(
          "spec.inclusion", "required by mode ON_WITH_INCLUSION (write inclusion: {} for none)");
    }
    if (mode == RbacConfigSpec.Mode.ON_WITH_EXCLUSION && !spec.hasExclusion()) {
      throw new FieldException(
          "spec.exclusion", "required by mode ON_WITH_EXCLUSION (write exclusion: {} for none)");
    }
    RbacConfigSpec.Target inclusion = target(spec.getInclusion(), "spec.inclusion");
    RbacConfigSpec.Target exclusion = target(spec.getExclusion(), "spec.exclusion");
    return new RbacConfigSpec(
        mode,
        inclusion,
        exclusion,
        spec.getEnforcementMode() == ServiceMeshRbacConfigSpec.EnforcementMode.PERMISSIVE);
  }

  private static RbacConfigSpec.Target target(ServiceMeshRbacConfigSpec.Target t, String f)
      throws FieldException {
    List<String> services = t.getServicesList();
    for (int i = 0; i < services.size(); i++) {
      if (services.get(i).isEmpty()) {
        throw new FieldException(f + ".services[" + i + "]", "empty service name");
      }
    }
    List<String> namespaces = t.getNamespacesList();
    for (int i = 0; i < namespaces.size(); i++) {
      Names.requireLabel(namespaces.get(i), f + ".namespaces[" + i + "]");
    }
    return new RbacConfigSpec.Target(services, namespaces);
  }

  /** YAML 1.1 reads an unquoted {@code mode: ON} or {@code OFF} as a boolean; take it as meant. */
  private static JsonNode withModeText(JsonNode spec) {
    JsonNode mode = spec.get("mode");
    if (mode == null || !mode.isBoolean() || !spec.isObject()) {
      return spec;
    }
    ObjectNode copy = spec.deepCopy();
    copy.put("mode", mode.asBoolean() ? "ON" : "OFF");
    return copy;
  }
}
