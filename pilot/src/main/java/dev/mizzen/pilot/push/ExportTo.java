package dev.mizzen.pilot.push;

import java.util.List;

/** Istio's exportTo: which namespaces may see a piece of config. */
final class ExportTo {
  private ExportTo() {}

  /**
   * @param exportTo as written; empty means every namespace, "~" none
   * @param owner the config's own namespace
   * @param viewer the namespace asking
   */
  static boolean visible(List<String> exportTo, String owner, String viewer) {
    if (exportTo.isEmpty()) {
      return true;
    }
    for (String e : exportTo) {
      if (e.equals("*") || e.equals(viewer) || (e.equals(".") && owner.equals(viewer))) {
        return true;
      }
    }
    return false;
  }
}
