package dev.mizzen.tenancy.controller;

import java.util.SortedSet;

/**
 * A writer that runs beside the member controller, under its Lease: of several replicas only the
 * one holding the Lease runs it, and it learns the members from the controller instead of following
 * the roll on its own, so that it can finish with a namespace before the namespace loses the
 * RoleBindings that may grant the writer its rights there. Every method is called on the member
 * controller's thread, in order: {@link #startLeading}, {@link #members} after every pass, {@link
 * #stopLeading}.
 */
public interface LeaderTask {

  /** This replica holds the Lease now. */
  void startLeading();

  /**
   * The configured members after a pass, told before the namespaces that left the roll are
   * unconfigured.
   *
   * @param configured the configured members, without the control plane's namespace
   * @return false when the task could not yet finish with the namespaces that left: they stay
   *     configured and the pass is tried again
   */
  boolean members(SortedSet<String> configured);

  /** This replica lost the Lease, or the controller is closing. */
  void stopLeading();
}
