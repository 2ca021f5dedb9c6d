package dev.mizzen.ingest.parse;

import static dev.mizzen.ingest.parse.VirtualServiceTranslator.nonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mizzen.ingest.model.Meta;
import dev.mizzen.ingest.model.Protocol;
import dev.mizzen.ingest.model.SidecarSpec;
import io.fabric8.istio.api.api.networking.v1alpha3.CaptureMode;
import io.fabric8.istio.api.api.networking.v1alpha3.IstioEgressListener;
import io.fabric8.istio.api.api.networking.v1alpha3.IstioIngressListener;
import io.fabric8.istio.api.api.networking.v1alpha3.Sidecar;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Istio Sidecar into {@link SidecarSpec}, checked as Istio's validation checks it. */
final class SidecarTranslator implements SpecTranslator<SidecarSpec> {
  private static final Pattern DEFAULT_ENDPOINT =
      Pattern.compile("(127\\.0\\.0\\.1|0\\.0\\.0\\.0|\\[::1\\]|\\[::\\]):([0-9]+)");

  @Override
  public SidecarSpec translate(JsonNode object, Meta meta) throws FieldException {
    JsonNode specNode = object.get("spec");
    if (specNode == null || specNode.isNull()) {
      throw new FieldException("spec", "required");
    }
    Sidecar spec = Mappers.read(Mappers.STRICT, specNode, Sidecar.class, "spec");
    Unsupported.refuse(spec.getInboundConnectionPool(), "spec.inboundConnectionPool");
    Map<String, String> selector =
        spec.getWorkloadSelector() == null
            ? Map.of()
            : Selectors.selector(
                spec.getWorkloadSelector().getLabels(), "spec.workloadSelector.labels");
    List<SidecarSpec.IngressListener> ingress = new ArrayList<>();
    Set<Integer> ingressPorts = new HashSet<>();
    var writtenIngress = nonNull(spec.getIngress());
    for (int i = 0; i < writtenIngress.size(); i++) {
      String f = "spec.ingress[" + i + "]";
      SidecarSpec.IngressListener l = ingress(writtenIngress.get(i), f);
      if (!ingressPorts.add(l.port())) {
        throw new FieldException(f + ".port.number", "duplicate port " + l.port());
      }
      ingress.add(l);
    }
    List<SidecarSpec.EgressListener> egress = new ArrayList<>();
    Set<Integer> egressPorts = new HashSet<>();
    var writtenEgress = nonNull(spec.getEgress());
    for (int i = 0; i < writtenEgress.size(); i++) {
      String f = "spec.egress[" + i + "]";
      SidecarSpec.EgressListener l = egress(writtenEgress.get(i), f);
      if (l.port() == 0 && i != writtenEgress.size() - 1) {
        throw new FieldException(
            f + ".port",
            "the egress listener without a port catches every other port and must come last");
      }
      if (l.port() != 0 && !egressPorts.add(l.port())) {
        throw new FieldException(f + ".port.number", "duplicate port " + l.port());
      }
      egress.add(l);
    }
    Boolean registryOnly = null;
    if (spec.getOutboundTrafficPolicy() != null) {
      Unsupported.refuse(
          spec.getOutboundTrafficPolicy().getEgressProxy(),
          "spec.outboundTrafficPolicy.egressProxy");
      var mode = spec.getOutboundTrafficPolicy().getMode();
      registryOnly = mode != null && mode.name().equals("REGISTRY_ONLY");
    }
    if (ingress.isEmpty() && egress.isEmpty() && registryOnly == null) {
      throw new FieldException("spec", "empty: give egress, ingress or outboundTrafficPolicy");
    }
    return new SidecarSpec(selector, ingress, egress, registryOnly);
  }

  private static SidecarSpec.IngressListener ingress(IstioIngressListener l, String f)
      throws FieldException {
    Unsupported.refuse(l.getBind(), f + ".bind");
    Unsupported.refuse(l.getTls(), f + ".tls");
    Unsupported.refuse(l.getConnectionPool(), f + ".connectionPool");
    refuseCaptureNone(l.getCaptureMode(), f);
    if (l.getPort() == null || l.getPort().getNumber() == null) {
      throw new FieldException(f + ".port.number", "required");
    }
    int port = VirtualServiceTranslator.port(l.getPort().getNumber(), f + ".port.number");
    Unsupported.refuse(l.getPort().getTargetPort(), f + ".port.targetPort");
    Protocol protocol = Protocols.require(l.getPort().getProtocol(), f + ".port.protocol");
    int target = 0;
    String endpoint = l.getDefaultEndpoint();
    if (endpoint != null && !endpoint.isEmpty()) {
      if (endpoint.startsWith("unix://")) {
        throw new FieldException(
            f + ".defaultEndpoint",
            "Unix domain sockets are not supported by this version of Mizzen");
      }
      Matcher m = DEFAULT_ENDPOINT.matcher(endpoint);
      if (!m.matches()) {
        throw new FieldException(
            f + ".defaultEndpoint", "\"" + endpoint + "\": write 127.0.0.1:PORT or 0.0.0.0:PORT");
      }
      target = VirtualServiceTranslator.port(Long.parseLong(m.group(2)), f + ".defaultEndpoint");
    }
    String name = l.getPort().getName() == null ? "" : l.getPort().getName();
    return new SidecarSpec.IngressListener(port, protocol, name, target);
  }

  private static SidecarSpec.EgressListener egress(IstioEgressListener l, String f)
      throws FieldException {
    Unsupported.refuse(l.getBind(), f + ".bind");
    refuseCaptureNone(l.getCaptureMode(), f);
    List<String> hosts = nonNull(l.getHosts());
    if (hosts.isEmpty()) {
      throw new FieldException(f + ".hosts", "at least one host is required");
    }
    for (int i = 0; i < hosts.size(); i++) {
      requireEgressHost(hosts.get(i), f + ".hosts[" + i + "]");
    }
    int port = 0;
    Protocol protocol = null;
    if (l.getPort() != null) {
      if (l.getPort().getNumber() == null) {
        throw new FieldException(f + ".port.number", "required");
      }
      port = VirtualServiceTranslator.port(l.getPort().getNumber(), f + ".port.number");
      Unsupported.refuse(l.getPort().getTargetPort(), f + ".port.targetPort");
      if (l.getPort().getProtocol() != null) {
        protocol = Protocols.require(l.getPort().getProtocol(), f + ".port.protocol");
      }
    }
    return new SidecarSpec.EgressListener(port, protocol, hosts);
  }

  /** {@code namespace/host}: namespace a name, {@code .}, {@code *} or {@code ~}. */
  private static void requireEgressHost(String host, String field) throws FieldException {
    String[] parts = host == null ? new String[0] : host.split("/", -1);
    if (parts.length != 2) {
      throw new FieldException(
          field, "\"" + host + "\": write NAMESPACE/HOST (namespace may be ., * or ~)");
    }
    if (!parts[0].equals(".") && !parts[0].equals("*") && !parts[0].equals("~")) {
      Names.requireLabel(parts[0], field);
    }
    Hosts.requireHost(parts[1], field, true);
  }

  private static void refuseCaptureNone(CaptureMode mode, String f) throws FieldException {
    if (mode == CaptureMode.NONE) {
      throw new FieldException(
          f + ".captureMode", "NONE is not supported by this version of Mizzen");
    }
  }
}
