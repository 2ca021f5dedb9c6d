package dev.mizzen.openshift.ior;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.openshift.api.model.Route;
import io.fabric8.openshift.api.model.RouteBuilder;
import io.fabric8.openshift.api.model.RoutePort;
import io.fabric8.openshift.api.model.RouteSpec;
import io.fabric8.openshift.api.model.RouteTargetReference;
import io.fabric8.openshift.api.model.TLSConfig;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The writes that bring the Routes IOR made in line with the plans: Routes missing are created,
 * Routes that say something else than their Gateway now asks are rewritten, Routes no plan wants
 * are deleted, except those of a Gateway held as it is or of a namespace not read yet.
 *
 * @param create Routes to create
 * @param update Routes to rewrite, carrying the resource version they replace
 * @param delete Routes to delete
 */
record RouteDiff(List<Route> create, List<Route> update, List<Route> delete) {
  /** Annotations OpenShift itself puts on Routes (such as {@code openshift.io/host.generated}). */
  private static final String OPENSHIFT_PREFIX = "openshift.io/";

  RouteDiff {
    create = List.copyOf(create);
    update = List.copyOf(update);
    delete = List.copyOf(delete);
  }

  boolean isEmpty() {
    return create.isEmpty() && update.isEmpty() && delete.isEmpty();
  }

  /**
   * @param unread namespaces not read yet: their Gateways' Routes are kept, as those Gateways may
   *     well exist
   */
  static RouteDiff of(Collection<Plan> plans, Collection<Route> actual, Set<String> unread) {
    Map<String, Route> desired = new LinkedHashMap<>();
    Set<String> held = new HashSet<>();
    for (Plan p : plans) {
      if (p.disposition() == Plan.Disposition.HELD) {
        held.add(p.gatewayKey());
      }
      if (p.disposition() == Plan.Disposition.MIRRORED) {
        p.routes().forEach(r -> desired.put(key(r), r));
      }
    }
    List<Route> create = new ArrayList<>();
    List<Route> update = new ArrayList<>();
    List<Route> delete = new ArrayList<>();
    Set<String> present = new HashSet<>();
    for (Route a : actual) {
      String k = key(a);
      present.add(k);
      Route d = desired.get(k);
      if (d != null) {
        if (!current(a, d)) {
          update.add(rewrite(a, d));
        }
      } else if (!held.contains(gatewayKey(a)) && !unread.contains(gatewayNamespace(a))) {
        delete.add(a);
      }
    }
    desired.forEach(
        (k, d) -> {
          if (!present.contains(k)) {
            create.add(d);
          }
        });
    return new RouteDiff(create, update, delete);
  }

  static String key(Route r) {
    return r.getMetadata().getNamespace() + "/" + r.getMetadata().getName();
  }

  private static String gatewayKey(Route r) {
    return gatewayNamespace(r)
        + "/"
        + Objects.requireNonNullElse(r.getMetadata().getLabels(), Map.<String, String>of())
            .get(RoutePlanner.GATEWAY_NAME);
  }

  private static String gatewayNamespace(Route r) {
    return Objects.requireNonNullElse(r.getMetadata().getLabels(), Map.<String, String>of())
        .get(RoutePlanner.GATEWAY_NAMESPACE);
  }

  /**
   * Whether {@code actual} says what {@code desired} says. The Gateway's resource version alone
   * does not make a Route stale: it changes with every write to the Gateway, its status too.
   */
  static boolean current(Route actual, Route desired) {
    Map<String, String> labels =
        Objects.requireNonNullElse(actual.getMetadata().getLabels(), Map.of());
    for (Map.Entry<String, String> e : desired.getMetadata().getLabels().entrySet()) {
      if (!e.getKey().equals(RoutePlanner.GATEWAY_RESOURCE_VERSION)
          && !e.getValue().equals(labels.get(e.getKey()))) {
        return false;
      }
    }
    Map<String, String> annotations =
        Objects.requireNonNullElse(actual.getMetadata().getAnnotations(), Map.of());
    Map<String, String> wanted = desired.getMetadata().getAnnotations();
    for (Map.Entry<String, String> e : annotations.entrySet()) {
      if (!e.getKey().startsWith(OPENSHIFT_PREFIX)
          && !e.getValue().equals(wanted.get(e.getKey()))) {
        return false;
      }
    }
    if (!annotations.keySet().containsAll(wanted.keySet())) {
      return false;
    }
    RouteSpec a = Objects.requireNonNullElse(actual.getSpec(), new RouteSpec());
    RouteSpec d = desired.getSpec();
    // A Route made without a host gets OpenShift's default one, which is then its own.
    boolean hostOk = d.getHost() == null || d.getHost().equals(a.getHost());
    return hostOk
        && wildcard(a).equals(wildcard(d))
        && to(a).equals(to(d))
        && targetPort(a).equals(targetPort(d))
        && tls(a).equals(tls(d));
  }

  /**
   * {@code desired}, replacing {@code actual}: its resource version, host and OpenShift's
   * annotations kept.
   */
  private static Route rewrite(Route actual, Route desired) {
    Map<String, String> annotations = new LinkedHashMap<>();
    Objects.requireNonNullElse(actual.getMetadata().getAnnotations(), Map.<String, String>of())
        .forEach(
            (k, v) -> {
              if (k.startsWith(OPENSHIFT_PREFIX)) {
                annotations.put(k, v);
              }
            });
    annotations.putAll(desired.getMetadata().getAnnotations());
    Map<String, String> labels =
        new LinkedHashMap<>(Objects.requireNonNullElse(actual.getMetadata().getLabels(), Map.of()));
    labels.putAll(desired.getMetadata().getLabels());
    RouteBuilder b =
        new RouteBuilder(desired)
            .editMetadata()
            .withResourceVersion(actual.getMetadata().getResourceVersion())
            .withLabels(labels)
            .withAnnotations(annotations)
            .endMetadata();
    if (desired.getSpec().getHost() == null
        && actual.getSpec() != null
        && actual.getSpec().getHost() != null) {
      b.editSpec().withHost(actual.getSpec().getHost()).endSpec();
    }
    return b.build();
  }

  private static String wildcard(RouteSpec s) {
    return s.getWildcardPolicy() == null ? "None" : s.getWildcardPolicy();
  }

  private static List<Object> to(RouteSpec s) {
    RouteTargetReference t = s.getTo();
    if (t == null) {
      return List.of();
    }
    return List.of(
        Objects.requireNonNullElse(t.getKind(), "Service"),
        Objects.requireNonNullElse(t.getName(), ""),
        Objects.requireNonNullElse(t.getWeight(), 100));
  }

  private static String targetPort(RouteSpec s) {
    RoutePort p = s.getPort();
    IntOrString t = p == null ? null : p.getTargetPort();
    if (t == null) {
      return "";
    }
    return t.getStrVal() != null ? t.getStrVal() : String.valueOf(t.getIntVal());
  }

  private static List<String> tls(RouteSpec s) {
    TLSConfig t = s.getTls();
    if (t == null) {
      return List.of();
    }
    return List.of(
        Objects.requireNonNullElse(t.getTermination(), ""),
        Objects.requireNonNullElse(t.getInsecureEdgeTerminationPolicy(), ""));
  }
}
