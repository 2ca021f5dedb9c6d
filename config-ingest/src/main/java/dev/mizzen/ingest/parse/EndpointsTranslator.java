package dev.mizzen.ingest.parse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mizzen.ingest.model.EndpointsSpec;
import dev.mizzen.ingest.model.Meta;
import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointPort;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Kubernetes Endpoints into {@link EndpointsSpec}. */
final class EndpointsTranslator implements SpecTranslator<EndpointsSpec> {

  @Override
  public EndpointsSpec translate(JsonNode object, Meta meta) throws FieldException {
    Endpoints endpoints = Mappers.read(Mappers.LENIENT, object, Endpoints.class, "");
    List<EndpointsSpec.Subset> subsets = new ArrayList<>();
    List<EndpointSubset> written =
        endpoints.getSubsets() == null ? List.of() : endpoints.getSubsets();
    for (int i = 0; i < written.size(); i++) {
      EndpointSubset s = written.get(i);
      String field = "subsets[" + i + "]";
      List<EndpointsSpec.Port> ports = new ArrayList<>();
      List<EndpointPort> writtenPorts = s.getPorts() == null ? List.of() : s.getPorts();
      for (int j = 0; j < writtenPorts.size(); j++) {
        EndpointPort p = writtenPorts.get(j);
        if (p.getPort() == null || p.getPort() < 1 || p.getPort() > 65535) {
          throw new FieldException(field + ".ports[" + j + "].port", "must be between 1 and 65535");
        }
        ports.add(new EndpointsSpec.Port(Objects.requireNonNullElse(p.getName(), ""), p.getPort()));
      }
      subsets.add(
          new EndpointsSpec.Subset(
              addresses(s.getAddresses(), field + ".addresses"),
              addresses(s.getNotReadyAddresses(), field + ".notReadyAddresses"),
              ports));
    }
    return new EndpointsSpec(subsets);
  }

  private static List<EndpointsSpec.Address> addresses(List<EndpointAddress> written, String field)
      throws FieldException {
    if (written == null) {
      return List.of();
    }
    List<EndpointsSpec.Address> result = new ArrayList<>(written.size());
    for (int i = 0; i < written.size(); i++) {
      EndpointAddress a = written.get(i);
      if (a.getIp() == null || a.getIp().isEmpty()) {
        throw new FieldException(field + "[" + i + "].ip", "required");
      }
      String pod = "";
      if (a.getTargetRef() != null && "Pod".equals(a.getTargetRef().getKind())) {
        pod = Objects.requireNonNullElse(a.getTargetRef().getName(), "");
      }
      result.add(new EndpointsSpec.Address(a.getIp(), pod));
    }
    return result;
  }

  @Override
  public JsonNode source(JsonNode object) {
    return null;
  }
}
