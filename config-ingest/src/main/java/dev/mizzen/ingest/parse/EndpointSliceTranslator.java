package dev.mizzen.ingest.parse;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.net.InetAddresses;
import dev.mizzen.ingest.model.EndpointSliceSpec;
import dev.mizzen.ingest.model.EndpointSliceSpec.AddressType;
import dev.mizzen.ingest.model.Meta;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code discovery.k8s.io/v1} EndpointSlices into {@link EndpointSliceSpec}, checked as the API
 * server checks them (address type, addresses of that type, ports), so that a slice written by hand
 * in a directory is refused for the same reasons.
 */
final class EndpointSliceTranslator implements SpecTranslator<EndpointSliceSpec> {

  @Override
  public EndpointSliceSpec translate(JsonNode object, Meta meta) throws FieldException {
    if (!object.path("addressType").isMissingNode()
        && !object.path("addressType").isNull()
        && !object.path("addressType").isTextual()) {
      throw new FieldException("addressType", "must be IPv4, IPv6 or FQDN");
    }
    String typeName = object.path("addressType").asText("");
    AddressType type;
    try {
      type = AddressType.valueOf(typeName);
    } catch (IllegalArgumentException e) {
      throw new FieldException(
          "addressType",
          typeName.isEmpty() ? "required" : "must be IPv4, IPv6 or FQDN, not \"" + typeName + "\"");
    }
    List<EndpointSliceSpec.Endpoint> endpoints = new ArrayList<>();
    JsonNode written = object.path("endpoints");
    if (!written.isMissingNode() && !written.isNull() && !written.isArray()) {
      throw new FieldException("endpoints", "must be a list");
    }
    for (int i = 0; i < written.size(); i++) {
      JsonNode e = written.get(i);
      String field = "endpoints[" + i + "]";
      if (!e.isObject()) {
        throw new FieldException(field, "must be an object");
      }
      JsonNode addresses = e.path("addresses");
      if (!addresses.isArray() || addresses.isEmpty()) {
        throw new FieldException(field + ".addresses", "at least one address is required");
      }
      List<String> list = new ArrayList<>();
      for (int j = 0; j < addresses.size(); j++) {
        if (!addresses.get(j).isTextual()) {
          throw new FieldException(field + ".addresses[" + j + "]", "must be a string");
        }
        String a = addresses.get(j).asText();
        check(type, a, field + ".addresses[" + j + "]");
        list.add(a);
      }
      JsonNode conditions = e.path("conditions");
      if (!conditions.isMissingNode() && !conditions.isNull() && !conditions.isObject()) {
        throw new FieldException(field + ".conditions", "must be an object");
      }
      JsonNode targetRef = e.path("targetRef");
      if (!targetRef.isMissingNode() && !targetRef.isNull() && !targetRef.isObject()) {
        throw new FieldException(field + ".targetRef", "must be an object");
      }
      boolean ready = condition(conditions, "ready", true, field);
      boolean serving = condition(conditions, "serving", ready, field);
      boolean terminating = condition(conditions, "terminating", false, field);
      JsonNode ref = e.path("targetRef");
      if (!ref.path("name").isMissingNode() && !ref.path("name").isTextual()) {
        throw new FieldException(field + ".targetRef.name", "must be a string");
      }
      String pod = "Pod".equals(ref.path("kind").asText()) ? ref.path("name").asText("") : "";
      endpoints.add(new EndpointSliceSpec.Endpoint(list, ready, serving, terminating, pod));
    }
    List<EndpointSliceSpec.Port> ports = new ArrayList<>();
    JsonNode writtenPorts = object.path("ports");
    if (!writtenPorts.isMissingNode() && !writtenPorts.isNull() && !writtenPorts.isArray()) {
      throw new FieldException("ports", "must be a list");
    }
    for (int i = 0; i < writtenPorts.size(); i++) {
      JsonNode p = writtenPorts.get(i);
      String field = "ports[" + i + "]";
      if (!p.isObject()) {
        throw new FieldException(field, "must be an object");
      }
      if (!p.path("name").isMissingNode()
          && !p.path("name").isNull()
          && !p.path("name").isTextual()) {
        throw new FieldException(field + ".name", "must be a string");
      }
      if (p.path("port").isMissingNode() || p.path("port").isNull()) {
        // "All ports": a slice of a Service without a selector may say so; no Service port
        // can be paired with it by name and number, so it serves none.
        continue;
      }
      if (!p.path("port").canConvertToInt()
          || p.path("port").asInt() < 1
          || p.path("port").asInt() > 65535) {
        throw new FieldException(field + ".port", "must be between 1 and 65535");
      }
      ports.add(new EndpointSliceSpec.Port(p.path("name").asText(""), p.path("port").asInt()));
    }
    return new EndpointSliceSpec(
        meta.labels().getOrDefault(EndpointSliceSpec.SERVICE_NAME_LABEL, ""),
        type,
        endpoints,
        ports);
  }

  private static boolean condition(JsonNode conditions, String name, boolean absent, String field)
      throws FieldException {
    JsonNode v = conditions.path(name);
    if (v.isMissingNode() || v.isNull()) {
      return absent;
    }
    if (!v.isBoolean()) {
      throw new FieldException(field + ".conditions." + name, "must be true or false");
    }
    return v.asBoolean();
  }

  private static void check(AddressType type, String address, String field) throws FieldException {
    if (type == AddressType.FQDN) {
      if (address.isEmpty()) {
        throw new FieldException(field, "required");
      }
      return;
    }
    if (!InetAddresses.isInetAddress(address)) {
      throw new FieldException(field, "\"" + address + "\" is not an " + type + " address");
    }
    InetAddress parsed = InetAddresses.forString(address);
    if ((parsed instanceof Inet4Address) != (type == AddressType.IPv4)) {
      throw new FieldException(field, "\"" + address + "\" is not an " + type + " address");
    }
  }

  @Override
  public JsonNode source(JsonNode object) {
    return null;
  }
}
