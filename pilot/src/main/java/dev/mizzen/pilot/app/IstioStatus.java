package dev.mizzen.pilot.app;

import dev.mizzen.pilot.analysis.AnalysisMessage;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An analysed object's {@code status} in Istio's shape ({@code istio.meta.v1alpha1.IstioStatus}):
 * {@code validationMessages} as {@code AnalysisMessageBase}s ({@code type: {code, name}}, {@code
 * level}, {@code documentationUrl}), the {@code Reconciled} condition, and {@code
 * observedGeneration} (a string, as Istio's JSON writes an int64). Built as plain maps, as the API
 * server stores them, from the object's present status: what others wrote there is kept, and a
 * condition whose state did not change keeps its transition time, so that an object whose analysis
 * did not change is written the same and not written at all.
 */
final class IstioStatus {
  static final String RECONCILED = "Reconciled";

  /**
   * What the status of one object should say.
   *
   * @param messages the analysis messages about it
   * @param reconciled whether it is served as written
   * @param reason why not, or that it is
   * @param message the same in words
   * @param generation the spec generation it was read at, 0 when unknown
   */
  record Desired(
      List<AnalysisMessage> messages,
      boolean reconciled,
      String reason,
      String message,
      long generation) {
    Desired {
      messages = List.copyOf(messages);
      Objects.requireNonNull(reason);
      Objects.requireNonNull(message);
    }
  }

  private IstioStatus() {}

  /** The status to write over {@code previous} (null when the object has none). */
  @SuppressWarnings("unchecked")
  static Map<String, Object> build(Map<String, Object> previous, Desired desired, Instant now) {
    Map<String, Object> status =
        previous == null ? new LinkedHashMap<>() : new LinkedHashMap<>(previous);
    List<Object> conditions = new ArrayList<>();
    Map<String, Object> before = null;
    boolean placed = false;
    Map<String, Object> reconciled = null;
    if (status.get("conditions") instanceof List<?> list) {
      for (Object c : list) {
        if (c instanceof Map<?, ?> m && RECONCILED.equals(m.get("type"))) {
          before = (Map<String, Object>) m;
          if (!placed) {
            reconciled = new LinkedHashMap<>();
            conditions.add(reconciled);
            placed = true;
          }
        } else {
          conditions.add(c);
        }
      }
    }
    if (reconciled == null) {
      reconciled = new LinkedHashMap<>();
      conditions.add(reconciled);
    }
    String state = desired.reconciled() ? "True" : "False";
    Object since = now.truncatedTo(ChronoUnit.SECONDS).toString();
    if (before != null
        && state.equals(before.get("status"))
        && before.get("lastTransitionTime") != null) {
      since = before.get("lastTransitionTime");
    }
    reconciled.put("type", RECONCILED);
    reconciled.put("status", state);
    reconciled.put("lastTransitionTime", since);
    reconciled.put("reason", desired.reason());
    reconciled.put("message", desired.message());
    status.put("conditions", conditions);
    List<Object> messages = new ArrayList<>();
    for (AnalysisMessage m : desired.messages()) {
      messages.add(base(m));
    }
    if (messages.isEmpty()) {
      // Istio's JSON leaves an empty list out: the problems went away.
      status.remove("validationMessages");
    } else {
      status.put("validationMessages", messages);
    }
    if (desired.generation() > 0) {
      status.put("observedGeneration", Long.toString(desired.generation()));
    } else {
      status.remove("observedGeneration");
    }
    return status;
  }

  /** One message as Istio's {@code AnalysisMessageBase}: no words, only what it is and how bad. */
  static Map<String, Object> base(AnalysisMessage m) {
    Map<String, Object> type = new LinkedHashMap<>();
    type.put("name", m.type().name());
    type.put("code", m.type().code());
    Map<String, Object> base = new LinkedHashMap<>();
    base.put("type", type);
    base.put("level", m.type().level().statusName());
    if (!m.type().documentationUrl().isEmpty()) {
      base.put("documentationUrl", m.type().documentationUrl());
    }
    return base;
  }
}
