package dev.mizzen.ingest.kube;

/** How the Kubernetes source watches the member namespaces. */
public enum WatchScope {
  /**
   * One informer per kind in each member namespace: needs only namespaced rights (a Role and a
   * RoleBinding per member), as Maistra's multitenant control planes have. Costs one watch per kind
   * and member.
   */
  NAMESPACES,
  /**
   * One informer per kind across all namespaces, filtered by the member set before anything enters
   * the store: one watch per kind whatever the number of members, but needs cluster-wide read
   * rights on those kinds.
   */
  CLUSTER
}
