package dev.mizzen.openshift.ior;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What IOR needs of an Istio Gateway, read by {@link GatewayReader}. IOR keeps its own record
 * rather than the config model's, so that it depends only on what it reads.
 *
 * @param namespace the Gateway's namespace
 * @param name its name
 * @param uid its uid, for events about it
 * @param resourceVersion its resource version, recorded on the Routes made from it
 * @param labels its labels
 * @param annotations its annotations, copied onto its Routes
 * @param selector the labels of the gateway pods it configures
 * @param servers its servers, in order
 */
record Gateway(
    String namespace,
    String name,
    String uid,
    String resourceVersion,
    Map<String, String> labels,
    Map<String, String> annotations,
    Map<String, String> selector,
    List<Server> servers) {

  Gateway {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(uid, "uid");
    Objects.requireNonNull(resourceVersion, "resourceVersion");
    labels = Map.copyOf(labels);
    annotations = Map.copyOf(annotations);
    selector = Map.copyOf(selector);
    servers = List.copyOf(servers);
  }

  /**
   * One server of a Gateway.
   *
   * @param hosts its hosts as written ({@code *}, {@code *.example.com}, {@code ns/host}, ...)
   * @param tls whether it has a {@code tls} section
   * @param httpsRedirect {@code tls.httpsRedirect}
   */
  record Server(List<String> hosts, boolean tls, boolean httpsRedirect) {
    Server {
      hosts = List.copyOf(hosts);
    }
  }

  String key() {
    return namespace + "/" + name;
  }

  @Override
  public String toString() {
    return "Gateway " + key();
  }
}
