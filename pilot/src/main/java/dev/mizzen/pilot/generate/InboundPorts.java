package dev.mizzen.pilot.generate;

import dev.mizzen.ingest.model.ServiceSpec.ServicePort;
import dev.mizzen.ingest.model.SidecarSpec;
import dev.mizzen.pilot.proxy.Proxy;
import dev.mizzen.pilot.push.Endpoint;
import dev.mizzen.pilot.push.MeshService;
import dev.mizzen.pilot.push.PushContext;
import dev.mizzen.pilot.push.SidecarScope;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The services a proxy's workload serves and on which ports, as Istio finds a proxy's service
 * instances: the services of its namespace whose endpoints are its pod (or, for addresses that name
 * no pod, one of its IPs), and those whose selector picks its labels (a pod not yet ready is in no
 * endpoints, but is still what the service selects).
 */
final class InboundPorts {
  private InboundPorts() {}

  /**
   * @param services the hosts of the services found
   * @param ports one per workload port, the first service (by host) naming it
   */
  record Found(SortedSet<String> services, List<InboundPort> ports) {}

  /**
   * @param sidecar the Sidecar resource in force; its ingress listeners, when it has some, are the
   *     ports served instead of those the services name
   */
  static Found find(PushContext push, Proxy proxy, SidecarScope sidecar) {
    SortedSet<String> services = new TreeSet<>();
    Map<Integer, InboundPort> ports = new LinkedHashMap<>();
    for (MeshService s : push.services()) {
      if (!s.namespace().equals(proxy.namespace()) || !s.kubernetes()) {
        continue;
      }
      Map<String, String> selector = s.selector();
      boolean selected =
          !selector.isEmpty() && proxy.labels().entrySet().containsAll(selector.entrySet());
      for (ServicePort p : s.ports()) {
        int target = endpointPort(s.endpoints(p.port()), proxy);
        if (target < 0 && selected) {
          target = p.targetPortNumber() > 0 ? p.targetPortNumber() : -1;
        }
        if (target > 0) {
          services.add(s.hostname());
          ports.putIfAbsent(target, new InboundPort(target, p.protocol(), s.hostname(), p.port()));
        }
      }
    }
    if (!sidecar.ingress().isEmpty()) {
      ports.clear();
      for (SidecarSpec.IngressListener l : sidecar.ingress()) {
        ports.put(l.port(), new InboundPort(l.port(), l.protocol(), "", 0, l.targetPort()));
      }
    }
    List<InboundPort> sorted = new ArrayList<>(ports.values());
    sorted.sort(Comparator.comparingInt(InboundPort::port));
    return new Found(services, sorted);
  }

  /** The port of the endpoint that is this proxy, or -1 when none is. */
  private static int endpointPort(List<Endpoint> endpoints, Proxy proxy) {
    for (Endpoint e : endpoints) {
      boolean mine =
          e.podName().isEmpty()
              ? proxy.ips().contains(e.ip())
              : e.podName().equals(proxy.podName());
      if (mine) {
        return e.port();
      }
    }
    return -1;
  }
}
