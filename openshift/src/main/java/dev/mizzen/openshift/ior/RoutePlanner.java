package dev.mizzen.openshift.ior;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.openshift.api.model.Route;
import io.fabric8.openshift.api.model.RouteBuilder;
import io.fabric8.openshift.api.model.TLSConfigBuilder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;

/**
 * Decides the Routes of one Gateway: one per host of each server, in the namespace of the Service
 * that selects the gateway's pods. Pure: it reads the pods and Services it is given and writes
 * nothing.
 */
final class RoutePlanner {
  static final String GENERATED_BY = "maistra.io/generated-by";
  static final String GENERATED_BY_IOR = "ior";
  static final String GATEWAY_NAMESPACE = "maistra.io/gateway-namespace";
  static final String GATEWAY_NAME = "maistra.io/gateway-name";
  static final String GATEWAY_RESOURCE_VERSION = "maistra.io/gateway-resourceVersion";
  static final String VERSION_LABEL = "maistra-version";
  static final String ORIGINAL_HOST = "maistra.io/original-host";
  static final String MANAGE_ROUTE = "maistra.io/manageRoute";
  private static final String KUBECTL_PREFIX = "kubectl.kubernetes.io/";

  /** The pods and Services of the namespaces IOR watches. */
  interface Workloads {
    /** Whether the namespace has been read: until then, what it holds is unknown, not absent. */
    boolean known(String namespace);

    List<Pod> pods(String namespace);

    List<Service> services(String namespace);
  }

  private final String controlPlaneNamespace;
  private final String maistraVersion;

  RoutePlanner(String controlPlaneNamespace, String maistraVersion) {
    this.controlPlaneNamespace = controlPlaneNamespace;
    this.maistraVersion = maistraVersion;
  }

  /**
   * @param members the namespaces watched: the configured members and the control plane's
   */
  Plan plan(Gateway gw, SortedSet<String> members, Workloads workloads) {
    String ns = gw.namespace();
    String name = gw.name();
    String manage = gw.annotations().get(MANAGE_ROUTE);
    if (manage != null && manage.equalsIgnoreCase("false")) {
      return Plan.leftAlone(ns, name, "annotated " + MANAGE_ROUTE + ": \"" + manage + "\"");
    }
    if (manage != null && !manage.equalsIgnoreCase("true")) {
      return Plan.held(
          ns,
          name,
          "annotation " + MANAGE_ROUTE + ": \"" + manage + "\" is neither \"true\" nor \"false\"");
    }
    if ("egressgateway".equals(gw.selector().get("istio"))) {
      return Plan.leftAlone(
          ns, name, "an egress gateway (spec.selector istio: egressgateway) gets no Routes");
    }
    if (gw.selector().isEmpty()) {
      return Plan.held(
          ns,
          name,
          "spec.selector is empty, so no gateway pods, and no Service, can be found for it");
    }
    if (name.length() > 63) {
      return Plan.held(
          ns,
          name,
          "its name is longer than 63 characters, too long for the label " + GATEWAY_NAME);
    }
    List<String> searched = searchOrder(ns, members);
    for (String n : searched) {
      if (!workloads.known(n)) {
        // Its Service may be there: a Route made from a later namespace would only move back.
        return Plan.held(ns, name, "namespace " + n + " has not been read yet");
      }
      Optional<Service> service = findService(gw.selector(), n, workloads);
      if (service.isPresent()) {
        return mirror(gw, service.get());
      }
    }
    return Plan.held(
        ns,
        name,
        "no Service selects the pods of spec.selector "
            + new TreeMap<>(gw.selector())
            + " in namespaces "
            + searched);
  }

  private Plan mirror(Gateway gw, Service service) {
    List<Route> routes = new ArrayList<>();
    List<Plan.Skipped> skipped = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    Map<String, String> made = new LinkedHashMap<>();
    for (int s = 0; s < gw.servers().size(); s++) {
      Gateway.Server server = gw.servers().get(s);
      for (String written : server.hosts()) {
        String where = "\"" + written + "\" of servers[" + s + "]";
        Optional<String> problem = RouteHost.problem(written);
        if (problem.isPresent()) {
          skipped.add(new Plan.Skipped(written, problem.get()));
          continue;
        }
        RouteHost host = RouteHost.of(written);
        String routeName = host.routeName(gw.namespace(), gw.name());
        if (routeName.length() > 253) {
          skipped.add(
              new Plan.Skipped(
                  written, "the Route name " + routeName + " would be longer than 253 characters"));
          continue;
        }
        String earlier = made.putIfAbsent(routeName, where);
        if (earlier != null) {
          skipped.add(
              new Plan.Skipped(written, "Route " + routeName + " is already made for " + earlier));
          continue;
        }
        Route route = route(gw, host, routeName, server, service);
        routes.add(route);
        if (host.catchAll()) {
          notes.add(
              "host \""
                  + written
                  + "\": a Route cannot match every host, so Route "
                  + routeName
                  + " has none and OpenShift gives it its default host name");
        }
        String port = route.getSpec().getPort().getTargetPort().getStrVal();
        if (!hasPort(service, port)) {
          notes.add(
              "Service "
                  + service.getMetadata().getNamespace()
                  + "/"
                  + service.getMetadata().getName()
                  + " has no port named \""
                  + port
                  + "\", which Route "
                  + routeName
                  + " targets");
        }
      }
    }
    return new Plan(
        gw.namespace(),
        gw.name(),
        Plan.Disposition.MIRRORED,
        routes,
        skipped,
        notes.stream().distinct().toList());
  }

  private Route route(
      Gateway gw, RouteHost host, String routeName, Gateway.Server server, Service service) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(GENERATED_BY, GENERATED_BY_IOR);
    labels.put(GATEWAY_NAMESPACE, gw.namespace());
    labels.put(GATEWAY_NAME, gw.name());
    labels.put(GATEWAY_RESOURCE_VERSION, gw.resourceVersion());
    labels.put(VERSION_LABEL, maistraVersion);
    Map<String, String> annotations = new TreeMap<>();
    gw.annotations()
        .forEach(
            (k, v) -> {
              if (!k.startsWith(KUBECTL_PREFIX)) {
                annotations.put(k, v);
              }
            });
    annotations.put(ORIGINAL_HOST, host.written());
    RouteBuilder b =
        new RouteBuilder()
            .withNewMetadata()
            .withName(routeName)
            .withNamespace(service.getMetadata().getNamespace())
            .withLabels(labels)
            .withAnnotations(annotations)
            .endMetadata()
            .withNewSpec()
            .withHost(host.catchAll() ? null : host.host())
            .withWildcardPolicy(host.subdomain() ? "Subdomain" : "None")
            .withNewTo()
            .withKind("Service")
            .withName(service.getMetadata().getName())
            .withWeight(100)
            .endTo()
            .withNewPort()
            .withTargetPort(new IntOrString(server.tls() ? "https" : "http2"))
            .endPort()
            .endSpec();
    if (server.tls()) {
      TLSConfigBuilder tls = new TLSConfigBuilder().withTermination("passthrough");
      if (server.httpsRedirect()) {
        tls.withInsecureEdgeTerminationPolicy("Redirect");
      }
      b.editSpec().withTls(tls.build()).endSpec();
    }
    return b.build();
  }

  /** The Gateway's own namespace first, then the control plane's, then the other members. */
  private List<String> searchOrder(String gatewayNamespace, SortedSet<String> members) {
    List<String> order = new ArrayList<>();
    order.add(gatewayNamespace);
    if (!gatewayNamespace.equals(controlPlaneNamespace)
        && members.contains(controlPlaneNamespace)) {
      order.add(controlPlaneNamespace);
    }
    members.stream().filter(m -> !order.contains(m)).forEach(order::add);
    return order;
  }

  /** The first Service of {@code namespace}, by name, that selects one of the gateway's pods. */
  private static Optional<Service> findService(
      Map<String, String> selector, String namespace, Workloads workloads) {
    List<Map<String, String>> gatewayPods =
        workloads.pods(namespace).stream()
            .map(
                p ->
                    Objects.requireNonNullElse(
                        p.getMetadata().getLabels(), Map.<String, String>of()))
            .filter(labels -> labels.entrySet().containsAll(selector.entrySet()))
            .toList();
    if (gatewayPods.isEmpty()) {
      return Optional.empty();
    }
    return workloads.services(namespace).stream()
        .sorted(Comparator.comparing(s -> s.getMetadata().getName()))
        .filter(s -> selects(s, gatewayPods))
        .findFirst();
  }

  private static boolean selects(Service service, List<Map<String, String>> pods) {
    Map<String, String> selector =
        service.getSpec() == null ? null : service.getSpec().getSelector();
    return selector != null
        && !selector.isEmpty()
        && pods.stream().anyMatch(p -> p.entrySet().containsAll(selector.entrySet()));
  }

  private static boolean hasPort(Service service, String name) {
    List<ServicePort> ports = service.getSpec() == null ? null : service.getSpec().getPorts();
    return ports != null && ports.stream().anyMatch(p -> name.equals(p.getName()));
  }
}
