package dev.mizzen.ingest.parse;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Istio's exportTo: ".", "*", "~" or namespace names. */
final class ExportTos {
  private ExportTos() {}

  static List<String> check(List<String> written) throws FieldException {
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
      if (!e.equals(".") && !e.equals("*") && !e.equals("~")) {
        Names.requireLabel(e, field);
      }
      if (!seen.add(e)) {
        throw new FieldException(field, "duplicate value \"" + e + "\"");
      }
    }
    if (written.size() > 1 && (seen.contains("*") || seen.contains("~"))) {
      throw new FieldException(
          "spec.exportTo", "\"*\" and \"~\" must stand alone (\"*\" exports to all namespaces, \"~\" to none)");
    }
    return written;
  }
}
