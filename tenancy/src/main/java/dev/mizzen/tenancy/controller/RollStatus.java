package dev.mizzen.tenancy.controller;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The status of a ServiceMeshMemberRoll in Maistra's shape (2.1 and later): configured, pending and
 * all members, one status per member, the Ready condition and the {@code configuredMemberCount}
 * annotation. Built as plain maps because that is what the API server stores; times of conditions
 * whose state did not change are kept, so an unchanged roll is not rewritten.
 */
final class RollStatus {
  static final String READY = "Ready";
  static final String RECONCILED = "Reconciled";
  static final String ALL_CONFIGURED = "All namespaces have been configured successfully";
  static final String NAMESPACE_MISSING = "A namespace listed in .spec.members does not exist";

  private RollStatus() {}

  static Map<String, Object> build(
      Long generation, List<MemberOutcome> outcomes, Map<String, Object> previous, Instant now) {
    List<String> members = new ArrayList<>();
    List<String> configured = new ArrayList<>();
    List<String> pending = new ArrayList<>();
    List<Object> memberStatuses = new ArrayList<>();
    Map<String, Map<String, Object>> previousMembers = previousMemberConditions(previous);
    MemberOutcome firstError = null;
    for (MemberOutcome o : outcomes) {
      members.add(o.namespace());
      (o.configured() ? configured : pending).add(o.namespace());
      if (!o.configured()
          && MemberOutcome.RECONCILE_ERROR.equals(o.reason())
          && firstError == null) {
        firstError = o;
      }
      Map<String, Object> status = new LinkedHashMap<>();
      status.put("namespace", o.namespace());
      status.put(
          "conditions",
          List.of(
              condition(
                  RECONCILED,
                  o.configured(),
                  o.reason(),
                  o.message(),
                  previousMembers.get(o.namespace()),
                  now)));
      memberStatuses.add(status);
    }
    String reason;
    String message;
    if (pending.isEmpty()) {
      reason = MemberOutcome.CONFIGURED;
      message = ALL_CONFIGURED;
    } else if (firstError != null) {
      reason = MemberOutcome.RECONCILE_ERROR;
      message = firstError.message();
    } else {
      reason = MemberOutcome.NAMESPACE_MISSING;
      message = NAMESPACE_MISSING;
    }
    Map<String, Object> status = new LinkedHashMap<>();
    if (generation != null) {
      status.put("observedGeneration", generation);
    }
    status.put(
        "annotations", Map.of("configuredMemberCount", configured.size() + "/" + members.size()));
    status.put("members", members);
    status.put("configuredMembers", configured);
    status.put("pendingMembers", pending);
    status.put("terminatingMembers", List.of());
    status.put("memberStatuses", memberStatuses);
    status.put(
        "conditions",
        List.of(
            condition(
                READY, pending.isEmpty(), reason, message, previousCondition(previous), now)));
    return status;
  }

  /** A condition, keeping the previous transition time when its status did not change. */
  static Map<String, Object> condition(
      String type,
      boolean ok,
      String reason,
      String message,
      Map<String, Object> previous,
      Instant now) {
    String status = ok ? "True" : "False";
    Object since = now.truncatedTo(ChronoUnit.SECONDS).toString();
    if (previous != null
        && status.equals(previous.get("status"))
        && previous.get("lastTransitionTime") != null) {
      since = previous.get("lastTransitionTime");
    }
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("type", type);
    c.put("status", status);
    c.put("lastTransitionTime", since);
    c.put("reason", reason);
    c.put("message", message);
    return c;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> previousCondition(Map<String, Object> previous) {
    if (previous == null || !(previous.get("conditions") instanceof List<?> list)) {
      return null;
    }
    for (Object c : list) {
      if (c instanceof Map<?, ?> m && READY.equals(m.get("type"))) {
        return (Map<String, Object>) m;
      }
    }
    return null;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Map<String, Object>> previousMemberConditions(
      Map<String, Object> previous) {
    Map<String, Map<String, Object>> byNamespace = new LinkedHashMap<>();
    if (previous == null || !(previous.get("memberStatuses") instanceof List<?> list)) {
      return byNamespace;
    }
    for (Object s : list) {
      if (s instanceof Map<?, ?> m
          && m.get("conditions") instanceof List<?> cs
          && !cs.isEmpty()
          && cs.get(0) instanceof Map<?, ?> c) {
        byNamespace.put(Objects.toString(m.get("namespace")), (Map<String, Object>) c);
      }
    }
    return byNamespace;
  }
}
