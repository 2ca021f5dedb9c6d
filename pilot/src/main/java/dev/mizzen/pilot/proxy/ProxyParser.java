package dev.mizzen.pilot.proxy;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.mizzen.ingest.model.Printable;
import io.envoyproxy.envoy.config.core.v3.Node;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a proxy's identity from its xDS node the way istiod does: the node id has exactly four
 * '~'-separated parts, the first "sidecar" or "router"; IPs come from INSTANCE_IPS first, the
 * namespace from NAMESPACE, else from the id's DNS domain.
 */
public final class ProxyParser {
  private ProxyParser() {}

  /** The longest node id read: ids are made of a pod's name, namespace, IP and DNS domain. */
  public static final int MAX_ID_LENGTH = 1024;

  public static Proxy parse(Node node) throws InvalidProxyException {
    String id = node.getId();
    if (id.length() > MAX_ID_LENGTH) {
      throw new InvalidProxyException(
          "the node id is "
              + id.length()
              + " characters long; at most "
              + MAX_ID_LENGTH
              + " are read: \""
              + Printable.of(id)
              + "\"");
    }
    if (id.chars().anyMatch(Character::isISOControl)) {
      throw new InvalidProxyException(
          "the node id holds control characters: \"" + Printable.of(id) + "\"");
    }
    String[] parts = id.split("~", -1);
    if (parts.length != 4) {
      throw new InvalidProxyException(
          "missing parts in the service node \"" + Printable.of(id) + "\"");
    }
    Proxy.Type type =
        switch (parts[0]) {
          case "sidecar" -> Proxy.Type.SIDECAR;
          case "router" -> Proxy.Type.ROUTER;
          default ->
              throw new InvalidProxyException(
                  "invalid node type (valid types: sidecar, router) in the service node \""
                      + Printable.of(id)
                      + "\"");
        };
    Struct metadata = node.getMetadata();
    List<String> ips = new ArrayList<>();
    String instanceIps = string(metadata, "INSTANCE_IPS");
    if (!instanceIps.isEmpty()) {
      for (String ip : instanceIps.split(",")) {
        if (!ip.isBlank()) {
          ips.add(ip.trim());
        }
      }
    }
    if (ips.isEmpty() && !parts[1].isEmpty()) {
      ips.add(parts[1]);
    }
    String podAndNamespace = parts[2];
    String domain = parts[3];
    String namespace = string(metadata, "NAMESPACE");
    if (namespace.isEmpty()) {
      int dot = domain.indexOf('.');
      namespace = dot < 0 ? domain : domain.substring(0, dot);
    }
    if (namespace.isEmpty()) {
      throw new InvalidProxyException(
          "no namespace in the service node \"" + Printable.of(id) + "\"");
    }
    String pod = podAndNamespace;
    String suffix = "." + namespace;
    if (pod.endsWith(suffix)) {
      pod = pod.substring(0, pod.length() - suffix.length());
    }
    Proxy.Generator generator =
        "grpc".equals(string(metadata, "GENERATOR").toLowerCase(Locale.ROOT))
            ? Proxy.Generator.GRPC
            : Proxy.Generator.ENVOY;
    return new Proxy(
        id,
        type,
        ips,
        pod,
        namespace,
        labels(metadata),
        firstNonEmpty(string(metadata, "CLUSTER_ID"), node.getCluster()),
        string(metadata, "ISTIO_VERSION"),
        generator,
        metadata,
        false); // nothing proved yet: the stream's admission decides
  }

  private static Map<String, String> labels(Struct metadata) throws InvalidProxyException {
    Value labels = metadata.getFieldsMap().get("LABELS");
    if (labels == null || labels.hasNullValue()) {
      return Map.of();
    }
    if (!labels.hasStructValue()) {
      throw new InvalidProxyException("node metadata LABELS must be a map of strings");
    }
    Map<String, String> result = new LinkedHashMap<>();
    for (Map.Entry<String, Value> e : labels.getStructValue().getFieldsMap().entrySet()) {
      if (!e.getValue().hasStringValue()) {
        throw new InvalidProxyException(
            "node metadata LABELS[" + Printable.of(e.getKey()) + "] must be a string");
      }
      result.put(e.getKey(), e.getValue().getStringValue());
    }
    return result;
  }

  private static String string(Struct metadata, String key) {
    Value v = metadata.getFieldsMap().get(key);
    return v != null && v.hasStringValue() ? v.getStringValue() : "";
  }

  private static String firstNonEmpty(String a, String b) {
    return a.isEmpty() ? b : a;
  }
}
