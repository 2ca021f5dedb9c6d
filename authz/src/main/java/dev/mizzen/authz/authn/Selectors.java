package dev.mizzen.authz.authn;

import java.util.Map;

/** Istio's workload selectors: every label of the selector, with its value. */
public final class Selectors {
  private Selectors() {}

  /** Whether {@code selector} (empty: every workload) picks a workload with {@code labels}. */
  public static boolean matches(Map<String, String> selector, Map<String, String> labels) {
    return labels.entrySet().containsAll(selector.entrySet());
  }
}
