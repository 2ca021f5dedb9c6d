package dev.mizzen.ingest.model;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * An Istio VirtualService: routing rules for a set of hosts.
 *
 * @param hosts the hosts the rules apply to, as written (short names are relative to the
 *     VirtualService's namespace)
 * @param gateways the gateways the rules apply to; empty means the mesh
 * @param http HTTP routes, first match wins
 * @param exportTo namespaces the rules are visible to; empty means all
 */
public record VirtualServiceSpec(
    List<String> hosts, List<String> gateways, List<HttpRoute> http, List<String> exportTo)
    implements Spec {

  public VirtualServiceSpec {
    hosts = List.copyOf(hosts);
    gateways = List.copyOf(gateways);
    http = List.copyOf(http);
    exportTo = List.copyOf(exportTo);
  }

  /**
   * One HTTP route.
   *
   * @param name the route's name, empty when unnamed
   * @param matches conditions, ORed; empty matches every request
   * @param route weighted destinations
   * @param timeout the request timeout, null for none
   * @param retries the retry policy, null for Istio's default
   */
  public record HttpRoute(
      String name,
      List<HttpMatch> matches,
      List<RouteDestination> route,
      Duration timeout,
      Retries retries) {

    public HttpRoute {
      Objects.requireNonNull(name, "name");
      matches = List.copyOf(matches);
      route = List.copyOf(route);
    }
  }

  /**
   * One match condition; all its parts must hold.
   *
   * @param name the match's name, empty when unnamed
   * @param uri the path condition, null for any
   * @param headers header conditions, in the order written
   */
  public record HttpMatch(String name, StringMatch uri, List<HeaderMatch> headers) {
    public HttpMatch {
      Objects.requireNonNull(name, "name");
      headers = List.copyOf(headers);
    }
  }

  /**
   * A condition on one request header.
   *
   * @param name the header name, lower case
   * @param match the condition on its value
   */
  public record HeaderMatch(String name, StringMatch match) {
    public HeaderMatch {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(match, "match");
    }
  }

  /**
   * A destination with its share of traffic.
   *
   * @param host the service host, as written
   * @param subset the DestinationRule subset, empty for all endpoints
   * @param port the service port, 0 when not given
   * @param weight the share of traffic; 0 when not given
   */
  public record RouteDestination(String host, String subset, int port, int weight) {
    public RouteDestination {
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(subset, "subset");
    }
  }

  /**
   * A retry policy.
   *
   * @param attempts how many retries; 0 disables retries
   * @param perTryTimeout the timeout of each try, null for the route's
   * @param retryOn Envoy's retry conditions, comma separated; empty for Istio's default
   */
  public record Retries(int attempts, Duration perTryTimeout, String retryOn) {
    public Retries {
      Objects.requireNonNull(retryOn, "retryOn");
    }
  }
}
