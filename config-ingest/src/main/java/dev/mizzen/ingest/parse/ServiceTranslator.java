package dev.mizzen.ingest.parse;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.net.InetAddresses;
import dev.mizzen.ingest.model.Meta;
import dev.mizzen.ingest.model.Protocol;
import dev.mizzen.ingest.model.ServiceSpec;
import dev.mizzen.ingest.model.ServiceSpec.ServicePort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** Kubernetes Service into {@link ServiceSpec}. */
final class ServiceTranslator implements SpecTranslator<ServiceSpec> {

  @Override
  public ServiceSpec translate(JsonNode object, Meta meta) throws FieldException {
    Service service = Mappers.read(Mappers.LENIENT, object, Service.class, "");
    if (service.getSpec() == null) {
      throw new FieldException("spec", "required");
    }
    var spec = service.getSpec();
    List<ServicePort> ports = new ArrayList<>();
    Set<String> numbers = new HashSet<>();
    Set<String> names = new HashSet<>();
    List<io.fabric8.kubernetes.api.model.ServicePort> written =
        spec.getPorts() == null ? List.of() : spec.getPorts();
    for (int i = 0; i < written.size(); i++) {
      var p = written.get(i);
      String field = "spec.ports[" + i + "]";
      if (p.getPort() == null || p.getPort() < 1 || p.getPort() > 65535) {
        throw new FieldException(field + ".port", "must be between 1 and 65535");
      }
      String name = Objects.requireNonNullElse(p.getName(), "");
      if (written.size() > 1 && name.isEmpty()) {
        throw new FieldException(field + ".name", "required when a service has several ports");
      }
      if (!names.add(name)) {
        throw new FieldException(field + ".name", "duplicate port name \"" + name + "\"");
      }
      String transport = Objects.requireNonNullElse(p.getProtocol(), "TCP");
      if (!numbers.add(p.getPort() + "/" + transport)) {
        throw new FieldException(field + ".port", "duplicate port " + p.getPort());
      }
      int targetNumber = p.getPort();
      String targetName = "";
      IntOrString target = p.getTargetPort();
      if (target != null) {
        if (target.getIntVal() != null) {
          targetNumber = target.getIntVal();
        } else if (target.getStrVal() != null) {
          targetNumber = 0;
          targetName = target.getStrVal();
        }
      }
      ports.add(
          new ServicePort(
              name,
              p.getPort(),
              targetNumber,
              targetName,
              Protocol.of(name, p.getAppProtocol(), transport)));
    }
    Map<String, String> selector = spec.getSelector() == null ? Map.of() : spec.getSelector();
    String clusterIp = Objects.requireNonNullElse(spec.getClusterIP(), "");
    if (!clusterIp.isEmpty()
        && !"None".equals(clusterIp)
        && !InetAddresses.isInetAddress(clusterIp)) {
      // The API server allows only these; a directory may hold anything.
      throw new FieldException(
          "spec.clusterIP", "\"" + clusterIp + "\" is neither an IP address nor \"None\"");
    }
    return new ServiceSpec(
        clusterIp, ports, selector, Objects.requireNonNullElse(spec.getType(), "ClusterIP"));
  }

  @Override
  public JsonNode source(JsonNode object) {
    return null;
  }
}
