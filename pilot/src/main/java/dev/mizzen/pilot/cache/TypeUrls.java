package dev.mizzen.pilot.cache;

import io.envoyproxy.controlplane.cache.Resources;
import java.util.List;

/** The xDS types Mizzen serves, in the order a push sends them (make before break). */
public final class TypeUrls {
  public static final String CLUSTER = Resources.V3.CLUSTER_TYPE_URL;
  public static final String ENDPOINT = Resources.V3.ENDPOINT_TYPE_URL;
  public static final String LISTENER = Resources.V3.LISTENER_TYPE_URL;
  public static final String ROUTE = Resources.V3.ROUTE_TYPE_URL;

  /** Certificates and keys of Kubernetes Secrets that config names by {@code credentialName}. */
  public static final String SECRET = Resources.V3.SECRET_TYPE_URL;

  /**
   * CDS, EDS, LDS, RDS, then SDS (as istiod orders them): the order in which changes reach a proxy.
   */
  public static final List<String> PUSH_ORDER = List.of(CLUSTER, ENDPOINT, LISTENER, ROUTE, SECRET);

  private TypeUrls() {}

  /** Istio's short names, as /debug/syncz uses them: "cluster", "endpoint", ... */
  public static String shortName(String typeUrl) {
    if (CLUSTER.equals(typeUrl)) {
      return "cluster";
    }
    if (ENDPOINT.equals(typeUrl)) {
      return "endpoint";
    }
    if (LISTENER.equals(typeUrl)) {
      return "listener";
    }
    if (ROUTE.equals(typeUrl)) {
      return "route";
    }
    if (SECRET.equals(typeUrl)) {
      return "secret";
    }
    int dot = typeUrl.lastIndexOf('.');
    return dot < 0 ? typeUrl : typeUrl.substring(dot + 1);
  }

  /** Whether a SotW request with no names means every resource of the type. */
  public static boolean wildcardByDefault(String typeUrl) {
    return CLUSTER.equals(typeUrl) || LISTENER.equals(typeUrl);
  }
}
