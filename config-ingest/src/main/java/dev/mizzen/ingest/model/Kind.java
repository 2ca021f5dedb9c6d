package dev.mizzen.ingest.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A kind of configuration object the config model knows, with the API group and versions it is
 * accepted under and the type of its translated spec.
 *
 * @param <S> the spec record objects of this kind translate into
 */
public final class Kind<S extends Spec> {

  public static final Kind<NamespaceSpec> NAMESPACE =
      new Kind<>("", List.of("v1"), "Namespace", "namespaces", false, NamespaceSpec.class);
  public static final Kind<ServiceSpec> SERVICE =
      new Kind<>("", List.of("v1"), "Service", "services", true, ServiceSpec.class);
  public static final Kind<EndpointsSpec> ENDPOINTS =
      new Kind<>("", List.of("v1"), "Endpoints", "endpoints", true, EndpointsSpec.class);
  public static final Kind<EndpointSliceSpec> ENDPOINT_SLICE =
      new Kind<>(
          "discovery.k8s.io",
          List.of("v1"),
          "EndpointSlice",
          "endpointslices",
          true,
          EndpointSliceSpec.class);
  public static final Kind<PodSpec> POD =
      new Kind<>("", List.of("v1"), "Pod", "pods", true, PodSpec.class);
  public static final Kind<VirtualServiceSpec> VIRTUAL_SERVICE =
      new Kind<>(
          "networking.istio.io",
          List.of("v1", "v1beta1", "v1alpha3"),
          "VirtualService",
          "virtualservices",
          true,
          VirtualServiceSpec.class);
  public static final Kind<DestinationRuleSpec> DESTINATION_RULE =
      new Kind<>(
          "networking.istio.io",
          List.of("v1", "v1beta1", "v1alpha3"),
          "DestinationRule",
          "destinationrules",
          true,
          DestinationRuleSpec.class);
  public static final Kind<GatewaySpec> GATEWAY =
      new Kind<>(
          "networking.istio.io",
          List.of("v1", "v1beta1", "v1alpha3"),
          "Gateway",
          "gateways",
          true,
          GatewaySpec.class);
  public static final Kind<ServiceEntrySpec> SERVICE_ENTRY =
      new Kind<>(
          "networking.istio.io",
          List.of("v1", "v1beta1", "v1alpha3"),
          "ServiceEntry",
          "serviceentries",
          true,
          ServiceEntrySpec.class);
  public static final Kind<SidecarSpec> SIDECAR =
      new Kind<>(
          "networking.istio.io",
          List.of("v1", "v1beta1", "v1alpha3"),
          "Sidecar",
          "sidecars",
          true,
          SidecarSpec.class);

  /**
   * Known so that it is refused with Maistra's reason rather than as unknown: Maistra does not
   * support external workloads. No object of it is ever accepted.
   */
  public static final Kind<Spec> WORKLOAD_ENTRY =
      new Kind<>(
          "networking.istio.io",
          List.of("v1", "v1beta1", "v1alpha3"),
          "WorkloadEntry",
          "workloadentries",
          true,
          Spec.class);

  /** Refused as {@link #WORKLOAD_ENTRY} is: it only makes WorkloadEntries. */
  public static final Kind<Spec> WORKLOAD_GROUP =
      new Kind<>(
          "networking.istio.io",
          List.of("v1", "v1beta1", "v1alpha3"),
          "WorkloadGroup",
          "workloadgroups",
          true,
          Spec.class);

  public static final Kind<MemberRollSpec> SERVICE_MESH_MEMBER_ROLL =
      new Kind<>(
          "maistra.io",
          List.of("v1"),
          "ServiceMeshMemberRoll",
          "servicemeshmemberrolls",
          true,
          MemberRollSpec.class);
  public static final Kind<AuthorizationPolicySpec> AUTHORIZATION_POLICY =
      new Kind<>(
          "security.istio.io",
          List.of("v1", "v1beta1"),
          "AuthorizationPolicy",
          "authorizationpolicies",
          true,
          AuthorizationPolicySpec.class);
  public static final Kind<PeerAuthenticationSpec> PEER_AUTHENTICATION =
      new Kind<>(
          "security.istio.io",
          List.of("v1", "v1beta1"),
          "PeerAuthentication",
          "peerauthentications",
          true,
          PeerAuthenticationSpec.class);
  public static final Kind<RequestAuthenticationSpec> REQUEST_AUTHENTICATION =
      new Kind<>(
          "security.istio.io",
          List.of("v1", "v1beta1"),
          "RequestAuthentication",
          "requestauthentications",
          true,
          RequestAuthenticationSpec.class);
  public static final Kind<MeshPolicySpec> SERVICE_MESH_POLICY =
      new Kind<>(
          "authentication.maistra.io",
          List.of("v1"),
          "ServiceMeshPolicy",
          "servicemeshpolicies",
          true,
          MeshPolicySpec.class);
  public static final Kind<RbacConfigSpec> SERVICE_MESH_RBAC_CONFIG =
      new Kind<>(
          "rbac.maistra.io",
          List.of("v1"),
          "ServiceMeshRbacConfig",
          "servicemeshrbacconfigs",
          true,
          RbacConfigSpec.class);

  private static final List<Kind<?>> ALL =
      List.of(
          NAMESPACE,
          SERVICE,
          ENDPOINTS,
          ENDPOINT_SLICE,
          POD,
          VIRTUAL_SERVICE,
          DESTINATION_RULE,
          GATEWAY,
          SERVICE_ENTRY,
          SIDECAR,
          WORKLOAD_ENTRY,
          WORKLOAD_GROUP,
          SERVICE_MESH_MEMBER_ROLL,
          AUTHORIZATION_POLICY,
          PEER_AUTHENTICATION,
          REQUEST_AUTHENTICATION,
          SERVICE_MESH_POLICY,
          SERVICE_MESH_RBAC_CONFIG);
  private static final Map<String, Kind<?>> BY_NAME =
      ALL.stream().collect(Collectors.toUnmodifiableMap(Kind::name, Function.identity()));

  private final String group;
  private final List<String> versions;
  private final String name;
  private final String plural;
  private final boolean namespaced;
  private final Class<S> specType;

  private Kind(
      String group,
      List<String> versions,
      String name,
      String plural,
      boolean namespaced,
      Class<S> specType) {
    this.group = group;
    this.versions = List.copyOf(versions);
    this.name = name;
    this.plural = plural;
    this.namespaced = namespaced;
    this.specType = specType;
  }

  /** Every kind the config model knows, in a stable order. */
  public static List<Kind<?>> all() {
    return ALL;
  }

  /** The kind with this name (such as "VirtualService"), if the model knows it. */
  public static Optional<Kind<?>> byName(String name) {
    return Optional.ofNullable(BY_NAME.get(name));
  }

  /** The API group, empty for Kubernetes' core group. */
  public String group() {
    return group;
  }

  /** The versions accepted in apiVersion, newest first. */
  public List<String> versions() {
    return versions;
  }

  public String name() {
    return name;
  }

  public String plural() {
    return plural;
  }

  public boolean namespaced() {
    return namespaced;
  }

  public Class<S> specType() {
    return specType;
  }

  /** Whether {@code apiVersion} (such as "networking.istio.io/v1beta1") names this kind's group. */
  public boolean acceptsApiVersion(String apiVersion) {
    return apiVersions().anyMatch(apiVersion::equals);
  }

  /** The apiVersion strings this kind accepts, for error messages. */
  public Stream<String> apiVersions() {
    return versions.stream().map(v -> group.isEmpty() ? v : group + "/" + v);
  }

  /** Casts a spec known to belong to this kind. */
  public S cast(Spec spec) {
    return specType.cast(Objects.requireNonNull(spec));
  }

  @Override
  public String toString() {
    return name;
  }
}
