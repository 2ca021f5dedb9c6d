package dev.mizzen.ingest.parse;

import static dev.mizzen.ingest.parse.VirtualServiceTranslator.nonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.net.InetAddresses;
import dev.mizzen.ingest.model.Meta;
import dev.mizzen.ingest.model.Protocol;
import dev.mizzen.ingest.model.ServiceEntrySpec;
import dev.mizzen.ingest.model.ServiceEntrySpec.Resolution;
import io.fabric8.istio.api.api.networking.v1alpha3.ServiceEntry;
import io.fabric8.istio.api.api.networking.v1alpha3.WorkloadEntry;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** Istio ServiceEntry into {@link ServiceEntrySpec}, checked as Istio's validation checks it. */
final class ServiceEntryTranslator implements SpecTranslator<ServiceEntrySpec> {
  /** Maistra's reason for refusing anything that brings virtual machines into the mesh. */
  static final String NO_EXTERNAL_WORKLOADS =
      "external workloads (virtual machines) are not supported";

  @Override
  public ServiceEntrySpec translate(JsonNode object, Meta meta) throws FieldException {
    JsonNode specNode = object.get("spec");
    if (specNode == null || specNode.isNull()) {
      throw new FieldException("spec", "required");
    }
    ServiceEntry spec =
        Mappers.read(Mappers.STRICT, withIpv6Addresses(specNode), ServiceEntry.class, "spec");
    if (spec.getWorkloadSelector() != null) {
      throw new FieldException("spec.workloadSelector", NO_EXTERNAL_WORKLOADS);
    }
    Resolution resolution = resolution(spec);
    List<String> hosts = nonNull(spec.getHosts());
    if (hosts.isEmpty()) {
      throw new FieldException("spec.hosts", "at least one host is required");
    }
    for (int i = 0; i < hosts.size(); i++) {
      String f = "spec.hosts[" + i + "]";
      Hosts.requireHost(hosts.get(i), f, true);
      if (hosts.get(i).equals("*")) {
        throw new FieldException(f, "\"*\" is not allowed: a ServiceEntry names the hosts it adds");
      }
      if (resolution == Resolution.DNS || resolution == Resolution.DNS_ROUND_ROBIN) {
        if (hosts.get(i).startsWith("*") && nonNull(spec.getEndpoints()).isEmpty()) {
          throw new FieldException(
              f,
              "a wildcard host cannot be resolved by DNS; give endpoints or use resolution NONE");
        }
      }
    }
    List<String> addresses = nonNull(spec.getAddresses());
    for (int i = 0; i < addresses.size(); i++) {
      String f = "spec.addresses[" + i + "]";
      String problem = AuthzValues.CIDR.problem(addresses.get(i));
      if (problem != null) {
        throw new FieldException(f, problem);
      }
      if (addresses.get(i).contains("/")
          && resolution != Resolution.NONE
          && resolution != Resolution.STATIC) {
        throw new FieldException(f, "CIDR blocks need resolution NONE or STATIC");
      }
    }
    List<ServiceEntrySpec.Port> ports = ports(spec);
    Set<String> portNames = new HashSet<>();
    ports.forEach(p -> portNames.add(p.name()));
    List<ServiceEntrySpec.WorkloadEndpoint> endpoints = new ArrayList<>();
    List<WorkloadEntry> written = nonNull(spec.getEndpoints());
    if (resolution == Resolution.NONE && !written.isEmpty()) {
      throw new FieldException(
          "spec.endpoints",
          "resolution NONE takes no endpoints (connections go where clients send them)");
    }
    if (resolution == Resolution.STATIC && written.isEmpty()) {
      throw new FieldException("spec.endpoints", "resolution STATIC needs endpoints");
    }
    if (resolution == Resolution.DNS_ROUND_ROBIN && written.size() > 1) {
      throw new FieldException(
          "spec.endpoints", "resolution DNS_ROUND_ROBIN takes at most one endpoint");
    }
    for (int i = 0; i < written.size(); i++) {
      endpoints.add(endpoint(written.get(i), "spec.endpoints[" + i + "]", resolution, portNames));
    }
    boolean external =
        spec.getLocation() == null || spec.getLocation().name().equals("MESH_EXTERNAL");
    return new ServiceEntrySpec(
        hosts,
        addresses,
        ports,
        external,
        resolution,
        endpoints,
        ExportTos.check(spec.getExportTo(), meta.namespace(), true),
        nonNull(spec.getSubjectAltNames()));
  }

  /**
   * An unquoted IPv6 address ending in "::" ({@code - 2001:db8::}) reads in YAML as a one-key map
   * ({@code "2001:db8:": null}); Kubernetes takes the address as written, so take it back.
   */
  private static JsonNode withIpv6Addresses(JsonNode spec) {
    JsonNode addresses = spec.get("addresses");
    if (addresses == null || !addresses.isArray()) {
      return spec;
    }
    ObjectNode copy = spec.deepCopy();
    ArrayNode fixed = copy.putArray("addresses");
    for (JsonNode a : addresses) {
      if (a.isObject() && a.size() == 1) {
        Map.Entry<String, JsonNode> only = a.fields().next();
        String address = only.getKey() + ":";
        if (only.getValue().isNull() && InetAddresses.isInetAddress(address)) {
          fixed.add(address);
          continue;
        }
      }
      fixed.add(a);
    }
    return copy;
  }

  private static Resolution resolution(ServiceEntry spec) throws FieldException {
    if (spec.getResolution() == null) {
      return Resolution.NONE;
    }
    String name = spec.getResolution().name();
    if (name.equals("DYNAMIC_DNS")) {
      throw new FieldException(
          "spec.resolution", "DYNAMIC_DNS is not supported by this version of Mizzen");
    }
    return Resolution.valueOf(name);
  }

  private static List<ServiceEntrySpec.Port> ports(ServiceEntry spec) throws FieldException {
    var written = nonNull(spec.getPorts());
    List<ServiceEntrySpec.Port> ports = new ArrayList<>();
    Set<Integer> numbers = new HashSet<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < written.size(); i++) {
      var p = written.get(i);
      String f = "spec.ports[" + i + "]";
      if (p.getNumber() == null) {
        throw new FieldException(f + ".number", "required");
      }
      int number = VirtualServiceTranslator.port(p.getNumber(), f + ".number");
      if (!numbers.add(number)) {
        throw new FieldException(f + ".number", "duplicate port " + number);
      }
      if (p.getName() == null || p.getName().isEmpty()) {
        throw new FieldException(f + ".name", "required");
      }
      if (!names.add(p.getName())) {
        throw new FieldException(f + ".name", "duplicate port name \"" + p.getName() + "\"");
      }
      // Istio sniffs the protocol of a port that names none.
      Protocol protocol =
          p.getProtocol() == null || p.getProtocol().isEmpty()
              ? Protocol.UNSPECIFIED
              : Protocols.require(p.getProtocol(), f + ".protocol");
      int target = VirtualServiceTranslator.port(p.getTargetPort(), f + ".targetPort");
      ports.add(new ServiceEntrySpec.Port(number, p.getName(), protocol, target));
    }
    return ports;
  }

  private static ServiceEntrySpec.WorkloadEndpoint endpoint(
      WorkloadEntry e, String f, Resolution resolution, Set<String> portNames)
      throws FieldException {
    if (e.getNetwork() != null && !e.getNetwork().isEmpty()) {
      throw new FieldException(f + ".network", "multi-network meshes are not supported");
    }
    String address = Objects.requireNonNullElse(e.getAddress(), "");
    if (address.isEmpty()) {
      throw new FieldException(f + ".address", "required");
    }
    if (address.startsWith("unix://")) {
      throw new FieldException(
          f + ".address", "Unix domain sockets are not supported by this version of Mizzen");
    }
    boolean ip = InetAddresses.isInetAddress(address);
    if (resolution == Resolution.STATIC && !ip) {
      throw new FieldException(
          f + ".address", "\"" + address + "\" is not an IP address, as resolution STATIC needs");
    }
    if (!ip) {
      Hosts.requireHost(address, f + ".address", false);
    }
    Map<String, Integer> ports = new LinkedHashMap<>();
    if (e.getPorts() != null) {
      for (Map.Entry<String, Long> p : e.getPorts().entrySet()) {
        if (!portNames.contains(p.getKey())) {
          throw new FieldException(
              f + ".ports." + p.getKey(), "no port in spec.ports is named \"" + p.getKey() + "\"");
        }
        ports.put(
            p.getKey(), VirtualServiceTranslator.port(p.getValue(), f + ".ports." + p.getKey()));
      }
    }
    long weight = e.getWeight() == null ? 0 : e.getWeight();
    if (weight < 0 || weight > Integer.MAX_VALUE) {
      throw new FieldException(f + ".weight", "must be between 0 and " + Integer.MAX_VALUE);
    }
    String locality = Objects.requireNonNullElse(e.getLocality(), "");
    if (locality.split("/", -1).length > 3) {
      throw new FieldException(f + ".locality", "write region/zone/subzone");
    }
    return new ServiceEntrySpec.WorkloadEndpoint(
        address,
        ports,
        VirtualServiceTranslator.labels(e.getLabels(), f + ".labels"),
        locality,
        (int) weight,
        Objects.requireNonNullElse(e.getServiceAccount(), ""));
  }
}
