package dev.mizzen.openshift.ior;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads the parts of a Gateway that IOR uses, refusing what it cannot use with the field and the
 * reason. Fields IOR does not use are not checked: validating Gateways is ingest's job.
 */
final class GatewayReader {
  private GatewayReader() {}

  /** Why a Gateway cannot be read. */
  static final class InvalidGatewayException extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidGatewayException(String field, String reason) {
      super(field + ": " + reason);
    }
  }

  static Gateway read(GenericKubernetesResource object) throws InvalidGatewayException {
    ObjectMeta meta = object.getMetadata();
    Map<String, Object> spec = map(object.getAdditionalProperties().get("spec"), "spec");
    Map<String, String> selector = strings(spec.get("selector"), "spec.selector");
    List<Gateway.Server> servers = new ArrayList<>();
    List<?> list = list(spec.get("servers"), "spec.servers");
    for (int i = 0; i < list.size(); i++) {
      String at = "spec.servers[" + i + "]";
      Map<String, Object> server = map(list.get(i), at);
      List<?> rawHosts = list(server.get("hosts"), at + ".hosts");
      List<String> hosts = new ArrayList<>();
      for (int h = 0; h < rawHosts.size(); h++) {
        if (!(rawHosts.get(h) instanceof String host) || host.isEmpty()) {
          throw new InvalidGatewayException(at + ".hosts[" + h + "]", "must be a non-empty string");
        }
        hosts.add(host);
      }
      Object tls = server.get("tls");
      boolean redirect = false;
      if (tls != null) {
        Object value = map(tls, at + ".tls").get("httpsRedirect");
        if (value != null && !(value instanceof Boolean)) {
          throw new InvalidGatewayException(at + ".tls.httpsRedirect", "must be true or false");
        }
        redirect = Boolean.TRUE.equals(value);
      }
      servers.add(new Gateway.Server(hosts, tls != null, redirect));
    }
    return new Gateway(
        meta.getNamespace(),
        meta.getName(),
        Objects.requireNonNullElse(meta.getUid(), ""),
        Objects.requireNonNullElse(meta.getResourceVersion(), ""),
        Objects.requireNonNullElse(meta.getLabels(), Map.of()),
        Objects.requireNonNullElse(meta.getAnnotations(), Map.of()),
        selector,
        servers);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object value, String field)
      throws InvalidGatewayException {
    if (value == null) {
      return Map.of();
    }
    if (!(value instanceof Map<?, ?>)) {
      throw new InvalidGatewayException(field, "must be an object");
    }
    return (Map<String, Object>) value;
  }

  private static List<?> list(Object value, String field) throws InvalidGatewayException {
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof List<?> l)) {
      throw new InvalidGatewayException(field, "must be a list");
    }
    return l;
  }

  private static Map<String, String> strings(Object value, String field)
      throws InvalidGatewayException {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : map(value, field).entrySet()) {
      if (!(e.getValue() instanceof String s)) {
        throw new InvalidGatewayException(field + "." + e.getKey(), "must be a string");
      }
      out.put(e.getKey(), s);
    }
    return out;
  }
}
