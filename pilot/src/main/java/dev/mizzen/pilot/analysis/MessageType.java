package dev.mizzen.pilot.analysis;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A kind of analysis message: its code, its name and its level. Istio's codes ({@code IST}) keep
 * the level and meaning Istio gives them; Mizzen's own ({@code MZ}) are for what only a mesh with a
 * member roll can get wrong, and are listed in the README.
 *
 * @param code such as "IST0101"
 * @param name such as "ReferencedResourceNotFound"
 * @param level how bad it is
 */
public record MessageType(String code, String name, Level level) {
  /** Where Istio documents its codes, one page per code. */
  private static final String ISTIO_DOCS =
      "https://istio.io/latest/docs/reference/config/analysis/";

  public static final MessageType REFERENCED_RESOURCE_NOT_FOUND =
      new MessageType("IST0101", "ReferencedResourceNotFound", Level.ERROR);
  public static final MessageType SCHEMA_VALIDATION_ERROR =
      new MessageType("IST0106", "SchemaValidationError", Level.ERROR);
  public static final MessageType CONFLICTING_MESH_GATEWAY_VIRTUAL_SERVICE_HOSTS =
      new MessageType("IST0109", "ConflictingMeshGatewayVirtualServiceHosts", Level.ERROR);
  public static final MessageType CONFLICTING_SIDECAR_WORKLOAD_SELECTORS =
      new MessageType("IST0110", "ConflictingSidecarWorkloadSelectors", Level.ERROR);
  public static final MessageType MULTIPLE_SIDECARS_WITHOUT_WORKLOAD_SELECTORS =
      new MessageType("IST0111", "MultipleSidecarsWithoutWorkloadSelectors", Level.ERROR);
  public static final MessageType PORT_NAME_IS_NOT_UNDER_NAMING_CONVENTION =
      new MessageType("IST0118", "PortNameIsNotUnderNamingConvention", Level.INFO);
  public static final MessageType NO_MATCHING_WORKLOADS_FOUND =
      new MessageType("IST0127", "NoMatchingWorkloadsFound", Level.WARNING);
  public static final MessageType UNKNOWN_DESTINATION_RULE_HOST =
      new MessageType("IST0174", "UnknownDestinationRuleHost", Level.WARNING);
  public static final MessageType NAMESPACE_NOT_A_MEMBER =
      new MessageType("MZ0001", "NamespaceNotInMemberRoll", Level.WARNING);
  public static final MessageType VIRTUAL_SERVICE_HOST_NOT_IN_MESH =
      new MessageType("MZ0002", "VirtualServiceHostNotInMesh", Level.WARNING);

  private static final List<MessageType> ALL =
      List.of(
          REFERENCED_RESOURCE_NOT_FOUND,
          SCHEMA_VALIDATION_ERROR,
          CONFLICTING_MESH_GATEWAY_VIRTUAL_SERVICE_HOSTS,
          CONFLICTING_SIDECAR_WORKLOAD_SELECTORS,
          MULTIPLE_SIDECARS_WITHOUT_WORKLOAD_SELECTORS,
          PORT_NAME_IS_NOT_UNDER_NAMING_CONVENTION,
          NO_MATCHING_WORKLOADS_FOUND,
          UNKNOWN_DESTINATION_RULE_HOST,
          NAMESPACE_NOT_A_MEMBER,
          VIRTUAL_SERVICE_HOST_NOT_IN_MESH);

  public MessageType {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(level, "level");
  }

  /** Every code Mizzen reports, Istio's first. */
  public static List<MessageType> all() {
    return ALL;
  }

  /** Whether the code is Istio's (as opposed to Mizzen's own). */
  public boolean isIstios() {
    return code.startsWith("IST");
  }

  /** Istio's page for an Istio code; empty for Mizzen's own, which the README documents. */
  public String documentationUrl() {
    return isIstios() ? ISTIO_DOCS + code.toLowerCase(Locale.ROOT) + "/" : "";
  }
}
