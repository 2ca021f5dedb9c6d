package dev.mizzen.tenancy.controller;

import dev.mizzen.tenancy.MemberRollResolver;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Configures and unconfigures member namespaces, one at a time, and says what became of each. The
 * {@code maistra.io/member-of} label is written first and with the namespace's resource version, so
 * that of two control planes claiming a namespace at once exactly one wins; the RoleBindings and
 * NetworkPolicies follow.
 */
final class MemberReconciler {
  private static final Logger log = LoggerFactory.getLogger(MemberReconciler.class);

  private final KubernetesClient client;
  private final String controlPlaneNamespace;

  /** The membership rule, which this applies to the cluster. */
  private final MemberRollResolver rule;

  private final MemberResources resources;

  /** What was last written to each member, so that an unchanged member costs no API call. */
  private final Map<String, Object> applied = new HashMap<>();

  MemberReconciler(
      KubernetesClient client,
      String controlPlaneNamespace,
      String rollName,
      MemberResources resources) {
    this.client = client;
    this.controlPlaneNamespace = controlPlaneNamespace;
    this.rule = new MemberRollResolver(controlPlaneNamespace, rollName);
    this.resources = resources;
  }

  /** Forgets what was written, so the next pass checks every member against the API server. */
  void forget() {
    applied.clear();
  }

  /**
   * @param namespace a namespace listed in the roll or by a ServiceMeshMember
   * @param current the namespace as the informer last saw it, null when it does not exist
   * @param sources the RoleBindings of the control plane namespace to copy
   * @param rootCertificate the mesh's root certificate (PEM) to publish, or null when there is none
   *     to publish (an external CA publishes its own)
   */
  MemberOutcome configure(
      String namespace, Namespace current, List<RoleBinding> sources, String rootCertificate) {
    Map<String, String> labels =
        current == null
            ? Map.of()
            : Objects.requireNonNullElse(current.getMetadata().getLabels(), Map.of());
    String owner = labels.get(MemberRollResolver.MEMBER_OF_LABEL);
    MemberRollResolver.Refusal refusal = rule.refusal(namespace, current != null, owner);
    if (refusal != null) {
      applied.remove(namespace);
      return refusal.namespaceMissing()
          ? MemberOutcome.missing(namespace, refusal.message())
          : MemberOutcome.refused(namespace, refusal.message());
    }
    List<RoleBinding> copies = sources.stream().map(rb -> resources.copy(rb, namespace)).toList();
    List<NetworkPolicy> policies = resources.networkPolicies(namespace);
    ConfigMap root =
        rootCertificate == null ? null : resources.rootCertificate(namespace, rootCertificate);
    Object fingerprint = Arrays.asList(copies, policies, root);
    if (owner != null && fingerprint.equals(applied.get(namespace))) {
      return MemberOutcome.configured(namespace);
    }
    try {
      if (owner == null) {
        claim(current);
      }
      syncRoleBindings(namespace, copies);
      syncNetworkPolicies(namespace, policies);
      if (root != null) {
        syncRootCertificate(namespace, root);
      }
      applied.put(namespace, fingerprint);
      return MemberOutcome.configured(namespace);
    } catch (KubernetesClientException e) {
      applied.remove(namespace);
      log.warn("could not configure namespace {}: {}", namespace, e.getMessage());
      return MemberOutcome.failed(
          namespace, "failed to configure namespace " + namespace + ": " + brief(e));
    }
  }

  private void claim(Namespace current) {
    Namespace labelled =
        new NamespaceBuilder(current)
            .editMetadata()
            .addToLabels(MemberRollResolver.MEMBER_OF_LABEL, controlPlaneNamespace)
            .endMetadata()
            .build();
    // update() sends the resource version read: a namespace claimed meanwhile fails with 409.
    client.namespaces().resource(labelled).update();
    log.info(
        "namespace {} joined the mesh of {}",
        current.getMetadata().getName(),
        controlPlaneNamespace);
  }

  private void syncRoleBindings(String namespace, List<RoleBinding> copies) {
    Set<String> wanted = new HashSet<>();
    for (RoleBinding copy : copies) {
      wanted.add(copy.getMetadata().getName());
      RoleBinding existing =
          client
              .rbac()
              .roleBindings()
              .inNamespace(namespace)
              .withName(copy.getMetadata().getName())
              .get();
      if (existing == null) {
        client.rbac().roleBindings().inNamespace(namespace).resource(copy).create();
      } else if (!resources.owns(existing)) {
        log.warn(
            "namespace {} has a RoleBinding {} of its own; not replacing it",
            namespace,
            existing.getMetadata().getName());
      } else if (!Objects.equals(existing.getRoleRef(), copy.getRoleRef())) {
        // roleRef cannot be changed in place.
        client.rbac().roleBindings().inNamespace(namespace).resource(existing).delete();
        client.rbac().roleBindings().inNamespace(namespace).resource(copy).create();
      } else if (!Objects.equals(existing.getSubjects(), copy.getSubjects())
          || !Objects.equals(existing.getMetadata().getLabels(), copy.getMetadata().getLabels())) {
        copy.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
        client.rbac().roleBindings().inNamespace(namespace).resource(copy).update();
      }
    }
    for (RoleBinding stale :
        client
            .rbac()
            .roleBindings()
            .inNamespace(namespace)
            .withLabels(resources.ownedLabels())
            .list()
            .getItems()) {
      if (!wanted.contains(stale.getMetadata().getName())) {
        client.rbac().roleBindings().inNamespace(namespace).resource(stale).delete();
      }
    }
  }

  private void syncNetworkPolicies(String namespace, List<NetworkPolicy> policies) {
    for (NetworkPolicy policy : policies) {
      var op = client.network().v1().networkPolicies().inNamespace(namespace);
      NetworkPolicy existing = op.withName(policy.getMetadata().getName()).get();
      if (existing == null) {
        op.resource(policy).create();
      } else if (!resources.owns(existing)) {
        log.warn(
            "namespace {} has a NetworkPolicy {} of its own; not replacing it",
            namespace,
            existing.getMetadata().getName());
      } else if (!Objects.equals(existing.getSpec(), policy.getSpec())
          || !Objects.equals(
              existing.getMetadata().getLabels(), policy.getMetadata().getLabels())) {
        policy.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
        op.resource(policy).update();
      }
    }
  }

  /**
   * Publishes the root certificate; kept in step when the root changes. A ConfigMap of that name
   * that this control plane did not write (another CA's) is left alone.
   */
  private void syncRootCertificate(String namespace, ConfigMap root) {
    var op = client.configMaps().inNamespace(namespace);
    ConfigMap existing = op.withName(MemberResources.ROOT_CONFIG_MAP).get();
    if (existing == null) {
      op.resource(root).create();
    } else if (!resources.owns(existing)) {
      log.warn(
          "namespace {} has a ConfigMap {} of its own; not replacing it",
          namespace,
          MemberResources.ROOT_CONFIG_MAP);
    } else if (!Objects.equals(existing.getData(), root.getData())
        || !Objects.equals(existing.getMetadata().getLabels(), root.getMetadata().getLabels())) {
      root.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
      op.resource(root).update();
    }
  }

  /** Removes everything this control plane put in {@code namespace}, label last. */
  void unconfigure(Namespace current) {
    String namespace = current.getMetadata().getName();
    applied.remove(namespace);
    try {
      // Before the RoleBindings: the right to delete it comes from one of them.
      ConfigMap root =
          client
              .configMaps()
              .inNamespace(namespace)
              .withName(MemberResources.ROOT_CONFIG_MAP)
              .get();
      if (root != null && resources.owns(root)) {
        client.configMaps().inNamespace(namespace).resource(root).delete();
      }
      client
          .rbac()
          .roleBindings()
          .inNamespace(namespace)
          .withLabels(resources.ownedLabels())
          .delete();
      client
          .network()
          .v1()
          .networkPolicies()
          .inNamespace(namespace)
          .withLabels(resources.ownedLabels())
          .delete();
      Namespace unlabelled =
          new NamespaceBuilder(current)
              .editMetadata()
              .removeFromLabels(MemberRollResolver.MEMBER_OF_LABEL)
              .endMetadata()
              .build();
      client.namespaces().resource(unlabelled).update();
      log.info("namespace {} left the mesh of {}", namespace, controlPlaneNamespace);
    } catch (KubernetesClientException e) {
      log.warn(
          "could not remove namespace {} from the mesh, retrying: {}", namespace, e.getMessage());
      throw e;
    }
  }

  /** The ServiceMeshMember status for a namespace that asked to join. */
  static Map<String, Object> memberStatus(
      GenericKubernetesResource member,
      MemberOutcome outcome,
      Map<String, Object> previous,
      Instant now) {
    Map<String, Map<String, Object>> before = new LinkedHashMap<>();
    if (previous != null && previous.get("conditions") instanceof List<?> cs) {
      for (Object c : cs) {
        if (c instanceof Map<?, ?> m) {
          @SuppressWarnings("unchecked")
          Map<String, Object> typed = (Map<String, Object>) m;
          before.put(Objects.toString(m.get("type")), typed);
        }
      }
    }
    String message =
        outcome == null ? "the namespace is not in the member roll yet" : outcome.message();
    boolean ok = outcome != null && outcome.configured();
    String reason = outcome == null ? "Pending" : outcome.reason();
    List<Object> conditions = new ArrayList<>();
    conditions.add(
        RollStatus.condition(
            RollStatus.RECONCILED,
            true,
            "Reconciled",
            "added to the member roll",
            before.get(RollStatus.RECONCILED),
            now));
    conditions.add(
        RollStatus.condition(
            RollStatus.READY, ok, reason, message, before.get(RollStatus.READY), now));
    Map<String, Object> status = new LinkedHashMap<>();
    Long generation = member.getMetadata().getGeneration();
    status.put("observedGeneration", generation == null ? 0L : generation);
    status.put("annotations", Map.of("controlPlaneRef", controlPlaneRefText(member)));
    status.put("conditions", conditions);
    return status;
  }

  static String controlPlaneRefText(GenericKubernetesResource member) {
    Function<String, String> ref =
        k -> Objects.toString(member.get("spec", "controlPlaneRef", k), "");
    return ref.apply("namespace") + "/" + ref.apply("name");
  }

  private static String brief(KubernetesClientException e) {
    return e.getStatus() != null && e.getStatus().getMessage() != null
        ? e.getStatus().getMessage()
        : String.valueOf(e.getMessage());
  }
}
