package dev.mizzen.ingest.parse;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Istio's exportTo: ".", "*", "~" or namespace names. */
final class ExportTos {
  private ExportTos() {}

  /**
   * @param namespace the object's own namespace, which "." also names
   * @param serviceEntry whether "~" (visible to no namespace) is allowed: only ServiceEntries take
   *     it
   */
  static List<String> check(List<String> written, String namespace, boolean serviceEntry)
      throws FieldException {
    if (written == null) {
      return List.of();
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < written.size(); i++) {
      String e = written.get(i);
      String field = "spec.exportTo[" + i + "]";
      if (e == null || e.isEmpty()) {
        throw new FieldException(field, "empty value");
      }
      if (e.equals("~") && !serviceEntry) {
        throw new FieldException(
            field, "\"~\" (no namespace) is only meaningful for a ServiceEntry");
      }
      if (!e.equals(".") && !e.equals("*") && !e.equals("~")) {
        Names.requireLabel(e, field);
      }
      if (!seen.add(e)) {
        throw new FieldException(field, "duplicate value \"" + e + "\"");
      }
      if (seen.contains(".") && seen.contains(namespace)) {
        throw new FieldException(field, "\".\" already names the namespace \"" + namespace + "\"");
      }
    }
    if (written.size() > 1 && (seen.contains("*") || seen.contains("~"))) {
      throw new FieldException(
          "spec.exportTo",
          "\"*\" and \"~\" must stand alone (\"*\" exports to all namespaces, \"~\" to none)");
    }
    return written;
  }
}
