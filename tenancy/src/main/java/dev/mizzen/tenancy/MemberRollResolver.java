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
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The one owner of the multitenancy rule: which namespaces a control plane's ServiceMeshMemberRoll
 * makes members. A listed namespace is configured when its name is a namespace name, it exists, it
 * is not the control plane's own namespace and it is not already a member of another control plane
 * (Maistra's member controller's rule); otherwise it is pending with the reason. The member
 * controller applies the rule ({@link #refusal}), the directory source resolves it from the roll's
 * spec and the Namespace objects ({@link #resolve}), and in a cluster the serving control plane
 * takes what the member controller configured ({@link #fromStatus}, {@link #watched}).
 */
public final class MemberRollResolver {

  /** The label Maistra puts on every member namespace, naming its control plane's namespace. */
  public static final String MEMBER_OF_LABEL = "maistra.io/member-of";

  /** A namespace name (RFC 1123 label), as the roll's validating webhook requires of members. */
  private static final Pattern NAMESPACE_NAME =
      Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

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
      Optional<Config<NamespaceSpec>> ns =
          isNamespaceName(member) ? snapshot.get(Kind.NAMESPACE, "", member) : Optional.empty();
      Refusal refusal =
          refusal(
              member,
              ns.isPresent(),
              ns.map(n -> n.meta().labels().get(MEMBER_OF_LABEL)).orElse(null));
      if (refusal != null) {
        pending.put(member, refusal.message());
      } else {
        configured.add(member);
      }
    }
    return Membership.of(controlPlaneNamespace, configured, pending);
  }

  /**
   * Why a namespace listed in the roll cannot be a member.
   *
   * @param message for people, in Maistra's words where Maistra has them
   * @param namespaceMissing whether the reason is only that the namespace does not exist (yet)
   */
  public record Refusal(String message, boolean namespaceMissing) {}

  /**
   * Why a namespace listed in the roll cannot be a member, or null when it can.
   *
   * @param exists whether the namespace exists
   * @param owner the namespace's {@value #MEMBER_OF_LABEL} label, or null
   */
  public Refusal refusal(String namespace, boolean exists, String owner) {
    if (!isNamespaceName(namespace)) {
      return new Refusal(notANamespaceName(namespace), false);
    }
    if (namespace.equals(controlPlaneNamespace)) {
      return new Refusal("the control plane's own namespace cannot be listed as a member", false);
    }
    if (!exists) {
      return new Refusal("namespace " + namespace + " does not exist", true);
    }
    if (owner != null && !owner.equals(controlPlaneNamespace)) {
      return new Refusal(alreadyMember(namespace, owner), false);
    }
    return null;
  }

  /**
   * The namespaces a cluster source watches for this roll (null when there is none): the control
   * plane's own and the configured members of its status.
   */
  public SortedSet<String> watched(MemberRollSpec roll) {
    return roll == null
        ? Membership.controlPlaneOnly(controlPlaneNamespace).namespaces()
        : fromStatus(roll).namespaces();
  }

  private static boolean isNamespaceName(String namespace) {
    return NAMESPACE_NAME.matcher(namespace).matches();
  }

  private static String notANamespaceName(String namespace) {
    return "\""
        + namespace
        + "\" is not a namespace name (a lowercase RFC 1123 label of at most 63 characters)";
  }

  private Membership fromStatus(MemberRollSpec roll) {
    Set<String> configured = new TreeSet<>();
    Map<String, String> pending = new LinkedHashMap<>();
    for (String member : roll.configuredMembers()) {
      if (!isNamespaceName(member)) {
        pending.put(member, "status.configuredMembers: " + notANamespaceName(member));
      } else if (!member.equals(controlPlaneNamespace)) {
        configured.add(member);
      }
    }
    for (String member : roll.members()) {
      if (!configured.contains(member) && !pending.containsKey(member)) {
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
