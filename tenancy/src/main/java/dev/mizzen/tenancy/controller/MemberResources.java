package dev.mizzen.tenancy.controller;

import dev.mizzen.tenancy.MemberRollResolver;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the member controller puts in a member namespace, as Maistra's operator does: copies of the
 * control plane namespace's RoleBindings labelled {@code maistra.io/owner}, the two NetworkPolicies
 * that admit traffic from the mesh and from the router, and, as istiod does, the mesh's root
 * certificate in the ConfigMap {@code istio-ca-root-cert} that injected proxies mount.
 */
final class MemberResources {
  static final String OWNER_LABEL = "maistra.io/owner";
  static final String VERSION_LABEL = "maistra-version";
  static final String EXPOSE_ROUTE_LABEL = "maistra.io/expose-route";
  static final String POLICY_GROUP_LABEL = "network.openshift.io/policy-group";

  /** The ConfigMap of the root certificate, and its key, as Istio's proxies read them. */
  static final String ROOT_CONFIG_MAP = "istio-ca-root-cert";

  static final String ROOT_KEY = "root-cert.pem";

  private final String controlPlaneNamespace;
  private final String meshName;
  private final String maistraVersion;

  MemberResources(String controlPlaneNamespace, String meshName, String maistraVersion) {
    this.controlPlaneNamespace = controlPlaneNamespace;
    this.meshName = meshName;
    this.maistraVersion = maistraVersion;
  }

  /** Labels that mark an object in a member namespace as this control plane's. */
  Map<String, String> ownedLabels() {
    return Map.of(
        MemberRollResolver.MEMBER_OF_LABEL,
        controlPlaneNamespace,
        OWNER_LABEL,
        controlPlaneNamespace);
  }

  boolean owns(HasMetadata object) {
    Map<String, String> labels = object.getMetadata().getLabels();
    return labels != null
        && controlPlaneNamespace.equals(labels.get(MemberRollResolver.MEMBER_OF_LABEL))
        && controlPlaneNamespace.equals(labels.get(OWNER_LABEL));
  }

  private ObjectMeta meta(String name, String namespace, Map<String, String> extraLabels) {
    Map<String, String> labels = new LinkedHashMap<>(extraLabels);
    labels.putAll(ownedLabels());
    labels.put(VERSION_LABEL, maistraVersion);
    return new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(namespace)
        .withLabels(labels)
        .build();
  }

  /**
   * The copy of {@code source} (a RoleBinding of the control plane namespace) for {@code member}.
   */
  RoleBinding copy(RoleBinding source, String member) {
    Map<String, String> labels =
        new LinkedHashMap<>(Objects.requireNonNullElse(source.getMetadata().getLabels(), Map.of()));
    return new RoleBindingBuilder()
        .withMetadata(meta(source.getMetadata().getName(), member, labels))
        .withRoleRef(source.getRoleRef())
        .withSubjects(source.getSubjects())
        .build();
  }

  /** The ConfigMap that publishes the root certificate {@code pem} in {@code member}. */
  ConfigMap rootCertificate(String member, String pem) {
    return new ConfigMapBuilder()
        .withMetadata(meta(ROOT_CONFIG_MAP, member, Map.of("istio.io/config", "true")))
        .withData(Map.of(ROOT_KEY, pem))
        .build();
  }

  String meshPolicyName() {
    return "istio-mesh-" + meshName;
  }

  String exposeRoutePolicyName() {
    return "istio-expose-route-" + meshName;
  }

  /** Both NetworkPolicies for {@code member}. */
  List<NetworkPolicy> networkPolicies(String member) {
    Map<String, String> app = Map.of("app", "istio");
    NetworkPolicy mesh =
        new NetworkPolicyBuilder()
            .withMetadata(meta(meshPolicyName(), member, app))
            .withNewSpec()
            .withNewPodSelector()
            .endPodSelector()
            .addNewIngress()
            .addNewFrom()
            .withNewNamespaceSelector()
            .addToMatchLabels(MemberRollResolver.MEMBER_OF_LABEL, controlPlaneNamespace)
            .endNamespaceSelector()
            .endFrom()
            .endIngress()
            .endSpec()
            .build();
    NetworkPolicy route =
        new NetworkPolicyBuilder()
            .withMetadata(meta(exposeRoutePolicyName(), member, app))
            .withNewSpec()
            .withNewPodSelector()
            .addToMatchLabels(EXPOSE_ROUTE_LABEL, "true")
            .endPodSelector()
            .addNewIngress()
            .addNewFrom()
            .withNewNamespaceSelector()
            .addToMatchLabels(POLICY_GROUP_LABEL, "ingress")
            .endNamespaceSelector()
            .endFrom()
            .endIngress()
            .endSpec()
            .build();
    return List.of(mesh, route);
  }
}
