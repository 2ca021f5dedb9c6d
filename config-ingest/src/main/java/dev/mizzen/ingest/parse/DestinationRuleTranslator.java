package dev.mizzen.ingest.parse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mizzen.ingest.model.DestinationRuleSpec;
import dev.mizzen.ingest.model.Meta;
import io.fabric8.istio.api.api.networking.v1alpha3.DestinationRule;
import io.fabric8.istio.api.api.networking.v1alpha3.Subset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Istio DestinationRule into {@link DestinationRuleSpec}. */
final class DestinationRuleTranslator implements SpecTranslator<DestinationRuleSpec> {

  @Override
  public DestinationRuleSpec translate(JsonNode object, Meta meta) throws FieldException {
    JsonNode specNode = object.get("spec");
    if (specNode == null || specNode.isNull()) {
      throw new FieldException("spec", "required");
    }
    DestinationRule spec = Mappers.read(Mappers.STRICT, specNode, DestinationRule.class, "spec");
    if (spec.getHost() == null || spec.getHost().isEmpty()) {
      throw new FieldException("spec.host", "required");
    }
    Unsupported.refuse(spec.getTrafficPolicy(), "spec.trafficPolicy");
    Unsupported.refuse(spec.getWorkloadSelector(), "spec.workloadSelector");
    List<DestinationRuleSpec.Subset> subsets = new ArrayList<>();
    Set<String> names = new HashSet<>();
    List<Subset> written = spec.getSubsets() == null ? List.of() : spec.getSubsets();
    for (int i = 0; i < written.size(); i++) {
      Subset s = written.get(i);
      String f = "spec.subsets[" + i + "]";
      if (s.getName() == null || s.getName().isEmpty()) {
        throw new FieldException(f + ".name", "required");
      }
      Names.requireLabel(s.getName(), f + ".name");
      if (!names.add(s.getName())) {
        throw new FieldException(f + ".name", "duplicate subset \"" + s.getName() + "\"");
      }
      Unsupported.refuse(s.getTrafficPolicy(), f + ".trafficPolicy");
      Map<String, String> labels = s.getLabels() == null ? Map.of() : s.getLabels();
      subsets.add(new DestinationRuleSpec.Subset(s.getName(), labels));
    }
    List<String> exportTo = spec.getExportTo() == null ? List.of() : spec.getExportTo();
    return new DestinationRuleSpec(spec.getHost(), subsets, exportTo);
  }
}
