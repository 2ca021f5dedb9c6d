package dev.mizzen.tenancy;

import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.Kind;
import dev.mizzen.ingest.model.MemberRollSpec;
import dev.mizzen.ingest.model.NamespaceSpec;
import dev.mizzen.ingest.store.ConfigSnapshot;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Decides a control plane's members from its ServiceMeshMemberRoll the way Maistra's member
 * controller does: a listed namespace is configured when it exists, is not the control plane's own
 * namespace and is not already a member of another control plane; otherwise it is pending with the
 * reason.
 */
public final class MemberRollResolver {

  /** The label Maistra puts on every member namespace, naming its control plane's namespace. */
  public static final String MEMBER_OF_LABEL = "maistra.io/member-of";

  private final String controlPlaneNamespace;
  private final String rollName;
  private final boolean fromStatus;

  /** Decides the members itself, from the roll's spec and the Namespace objects (a file source). */
  public MemberRollResolver(String controlPlaneNamespace, String rollName) {
    this(controlPlaneNamespace, rollName, false);
  }

  private MemberRollResolver(String controlPlaneNamespace, String rollName, boolean fromStatus) {
    this.controlPlaneNamespace = controlPlaneNamespace;
    this.rollName = rollName;
    this.fromStatus = fromStatus;
  }

  /**
   * Takes the members the member controller has configured, {@code status.configuredMembers}, as
   * Maistra's istiod does in a cluster: the serving control plane needs no rights on Namespaces.
   */
  public static MemberRollResolver fromStatus(String controlPlaneNamespace, String rollName) {
    return new MemberRollResolver(controlPlaneNamespace, rollName, true);
  }

  public String controlPlaneNamespace() {
    return controlPlaneNamespace;
  }

  public String rollName() {
    return rollName;
  }

  /** The roll this control plane follows, if present in the snapshot. */
  public Optional<Config<MemberRollSpec>> roll(ConfigSnapshot snapshot) {
    return snapshot.get(Kind.SERVICE_MESH_MEMBER_ROLL, controlPlaneNamespace, rollName);
  }

  /** Membership computed from the roll's spec and the namespaces present in the snapshot. */
  public Membership resolve(ConfigSnapshot snapshot) {
    Optional<Config<MemberRollSpec>> roll = roll(snapshot);
    if (roll.isEmpty()) {
      return Membership.controlPlaneOnly(controlPlaneNamespace);
    }
    if (fromStatus) {
      return fromStatus(roll.get().spec());
    }
    Set<String> configured = new TreeSet<>();
    Map<String, String> pending = new LinkedHashMap<>();
    for (String member : roll.get().spec().members()) {
      Optional<Config<NamespaceSpec>> ns = snapshot.get(Kind.NAMESPACE, "", member);
      if (member.equals(controlPlaneNamespace)) {
        pending.put(member, "the control plane's own namespace cannot be listed as a member");
      } else if (ns.isEmpty()) {
        pending.put(member, "namespace " + member + " does not exist");
      } else {
        String owner = ns.get().meta().labels().get(MEMBER_OF_LABEL);
        if (owner != null && !owner.equals(controlPlaneNamespace)) {
          pending.put(member, alreadyMember(member, owner));
        } else {
          configured.add(member);
        }
      }
    }
    return Membership.of(controlPlaneNamespace, configured, pending);
  }

  private Membership fromStatus(MemberRollSpec roll) {
    Set<String> configured = new TreeSet<>(roll.configuredMembers());
    configured.remove(controlPlaneNamespace);
    Map<String, String> pending = new LinkedHashMap<>();
    for (String member : roll.members()) {
      if (!configured.contains(member)) {
        pending.put(
            member,
            "not configured by the member controller yet (see the status of ServiceMeshMemberRoll "
                + controlPlaneNamespace
                + "/"
                + rollName
                + ")");
      }
    }
    return Membership.of(controlPlaneNamespace, configured, pending);
  }

  /** Maistra's message for a namespace claimed by another control plane. */
  public String alreadyMember(String namespace, String otherControlPlane) {
    return "Cannot reconcile namespace "
        + namespace
        + " in mesh "
        + controlPlaneNamespace
        + "/"
        + rollName
        + ", as it is already a member of "
        + otherControlPlane;
  }
}
