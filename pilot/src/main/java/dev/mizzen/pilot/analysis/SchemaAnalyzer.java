package dev.mizzen.pilot.analysis;

import dev.mizzen.ingest.model.ConfigError;
import java.util.List;

/**
 * IST0106 for every object refused as invalid, and every security object (or part of one) served
 * fail closed, as Istio's schema analyzer reports what its validation refuses: the same reason as
 * {@code mizzen validate}, now on the object.
 */
final class SchemaAnalyzer implements Analyzer {

  @Override
  public void analyze(AnalysisContext context, List<AnalysisMessage> out) {
    for (ConfigError e : context.refused()) {
      String where = e.field().isEmpty() ? "" : e.field() + ": ";
      out.add(
          AnalysisMessage.on(
              e,
              MessageType.SCHEMA_VALIDATION_ERROR,
              "Schema validation error: " + where + e.reason()));
    }
  }
}
