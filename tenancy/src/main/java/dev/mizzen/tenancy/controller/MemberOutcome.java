package dev.mizzen.tenancy.controller;

/**
 * What became of one listed namespace in a reconcile pass.
 *
 * @param namespace the namespace
 * @param configured whether it is a configured member now
 * @param reason Maistra's reason: Configured, ErrNamespaceMissing or ReconcileError
 * @param message for people
 * @param retry whether the pass should be tried again soon (an API call failed); a namespace
 *     missing or claimed by another mesh waits for the namespace to change instead
 */
record MemberOutcome(
    String namespace, boolean configured, String reason, String message, boolean retry) {
  static final String CONFIGURED = "Configured";
  static final String NAMESPACE_MISSING = "ErrNamespaceMissing";
  static final String RECONCILE_ERROR = "ReconcileError";

  static MemberOutcome configured(String namespace) {
    return new MemberOutcome(
        namespace, true, CONFIGURED, "namespace " + namespace + " is configured", false);
  }

  static MemberOutcome missing(String namespace, String message) {
    return new MemberOutcome(namespace, false, NAMESPACE_MISSING, message, false);
  }

  static MemberOutcome refused(String namespace, String message) {
    return new MemberOutcome(namespace, false, RECONCILE_ERROR, message, false);
  }

  static MemberOutcome failed(String namespace, String message) {
    return new MemberOutcome(namespace, false, RECONCILE_ERROR, message, true);
  }
}
