package dev.mizzen.ingest.parse;

import java.util.Map;
import java.util.regex.Pattern;

/** Label maps as Istio checks them: workload selectors, and the labels of subsets. */
final class Selectors {
  private static final Pattern NAME =
      Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?");

  private Selectors() {}

  /**
   * A workload selector: no empty name and no wildcard, which a selector would take literally and
   * so select nothing.
   *
   * @return the labels, empty for none
   */
  static Map<String, String> selector(Map<String, String> labels, String field)
      throws FieldException {
    if (labels == null) {
      return Map.of();
    }
    for (Map.Entry<String, String> e : labels.entrySet()) {
      String f = field + "." + e.getKey();
      if (e.getKey().isEmpty()) {
        throw new FieldException(field, "empty label name");
      }
      if (e.getKey().contains("*") || e.getValue().contains("*")) {
        throw new FieldException(f, "wildcards are not supported in selectors");
      }
    }
    return labels;
  }

  /** Labels that must be valid Kubernetes labels (a subset's). */
  static Map<String, String> labels(Map<String, String> labels, String field)
      throws FieldException {
    if (labels == null) {
      return Map.of();
    }
    for (Map.Entry<String, String> e : labels.entrySet()) {
      String key = e.getKey();
      String f = field + "." + key;
      int slash = key.lastIndexOf('/');
      String prefix = slash < 0 ? "" : key.substring(0, slash);
      String name = key.substring(slash + 1);
      if (name.isEmpty() || !isValue(name) || slash >= 0 && !Names.isDns1123Subdomain(prefix)) {
        throw new FieldException(f, "\"" + key + "\" is not a valid label name");
      }
      if (!isValue(e.getValue())) {
        throw new FieldException(f, "\"" + e.getValue() + "\" is not a valid label value");
      }
    }
    return labels;
  }

  private static boolean isValue(String s) {
    return s.length() <= 63 && NAME.matcher(s).matches();
  }
}
