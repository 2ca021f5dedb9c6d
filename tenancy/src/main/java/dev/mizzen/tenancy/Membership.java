package dev.mizzen.tenancy;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which namespaces one control plane serves: its own namespace plus the configured members of its
 * member roll. Namespaces listed in the roll but not configured are pending, with the reason.
 *
 * @param controlPlaneNamespace the control plane's own namespace, always a member
 * @param configured the configured members, without the control plane's namespace
 * @param pending listed namespaces that are not members yet, with why
 * @param rollFound whether the member roll exists
 */
public record Membership(
    String controlPlaneNamespace,
    SortedSet<String> configured,
    SortedMap<String, String> pending,
    boolean rollFound) {

  public Membership {
    Objects.requireNonNull(controlPlaneNamespace);
    configured = Collections.unmodifiableSortedSet(new TreeSet<>(configured));
    pending = Collections.unmodifiableSortedMap(new TreeMap<>(pending));
  }

  /** Only the control plane's own namespace. */
  public static Membership controlPlaneOnly(String controlPlaneNamespace) {
    return new Membership(controlPlaneNamespace, new TreeSet<>(), new TreeMap<>(), false);
  }

  public static Membership of(String controlPlaneNamespace, Set<String> configured) {
    return new Membership(controlPlaneNamespace, new TreeSet<>(configured), new TreeMap<>(), true);
  }

  public static Membership of(
      String controlPlaneNamespace, Set<String> configured, Map<String, String> pending) {
    return new Membership(
        controlPlaneNamespace, new TreeSet<>(configured), new TreeMap<>(pending), true);
  }

  /** Whether the control plane serves this namespace. */
  public boolean isMember(String namespace) {
    return controlPlaneNamespace.equals(namespace) || configured.contains(namespace);
  }

  /** Every namespace served, the control plane's own first. */
  public SortedSet<String> namespaces() {
    SortedSet<String> all = new TreeSet<>(configured);
    all.add(controlPlaneNamespace);
    return Collections.unmodifiableSortedSet(all);
  }
}
