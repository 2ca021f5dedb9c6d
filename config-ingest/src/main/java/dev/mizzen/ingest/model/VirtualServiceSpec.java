package dev.mizzen.ingest.model;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An Istio VirtualService: routing rules for a set of hosts.
 *
 * @param hosts the hosts the rules apply to, as written (short names are relative to the
 *     VirtualService's namespace); empty for a delegate, which only other VirtualServices use
 * @param gateways the gateways the rules apply to, as written ("mesh", "name" in the
 *     VirtualService's namespace, or "namespace/name"); empty means the mesh
 * @param http HTTP routes, first match wins
 * @param tcp TCP routes, first match wins
 * @param tls routes of TLS connections passed through by server name, first match wins
 * @param exportTo namespaces the rules are visible to; empty means all
 */
public record VirtualServiceSpec(
    List<String> hosts,
    List<String> gateways,
    List<HttpRoute> http,
    List<TcpRoute> tcp,
    List<TlsRoute> tls,
    List<String> exportTo)
    implements Spec {

  /** The gateway name meaning every sidecar of the mesh. */
  public static final String MESH = "mesh";

  public VirtualServiceSpec {
    hosts = List.copyOf(hosts);
    gateways = List.copyOf(gateways);
    http = List.copyOf(http);
    tcp = List.copyOf(tcp);
    tls = List.copyOf(tls);
    exportTo = List.copyOf(exportTo);
  }

  /** A VirtualService without hosts is a delegate: only a root's {@code delegate} route uses it. */
  public boolean isDelegate() {
    return hosts.isEmpty();
  }

  /**
   * One HTTP route.
   *
   * @param name the route's name, empty when unnamed
   * @param matches conditions, ORed; empty matches every request
   * @param route weighted destinations; empty when the route redirects, answers directly or
   *     delegates
   * @param redirect the redirect answered instead of forwarding, or null
   * @param directResponse the response answered instead of forwarding, or null
   * @param delegate the VirtualService whose routes replace this one, or null
   * @param rewrite how the request is rewritten before forwarding, or null
   * @param timeout the request timeout, null for none
   * @param retries the retry policy, null for Istio's default
   * @param fault faults injected, or null
   * @param mirrors where copies of the requests go
   * @param corsPolicy the CORS policy, or null
   * @param headers header changes on requests and responses
   */
  public record HttpRoute(
      String name,
      List<HttpMatch> matches,
      List<RouteDestination> route,
      Redirect redirect,
      DirectResponse directResponse,
      Delegate delegate,
      Rewrite rewrite,
      Duration timeout,
      Retries retries,
      Fault fault,
      List<Mirror> mirrors,
      CorsPolicy corsPolicy,
      Headers headers) {

    public HttpRoute {
      Objects.requireNonNull(name, "name");
      matches = List.copyOf(matches);
      route = List.copyOf(route);
      mirrors = List.copyOf(mirrors);
      Objects.requireNonNull(headers, "headers");
    }

    /** The same route with other matches and name, as delegation merges them. */
    public HttpRoute withMatches(String newName, List<HttpMatch> newMatches) {
      return new HttpRoute(
          newName,
          newMatches,
          route,
          redirect,
          directResponse,
          delegate,
          rewrite,
          timeout,
          retries,
          fault,
          mirrors,
          corsPolicy,
          headers);
    }
  }

  /**
   * One match condition; all its parts must hold.
   *
   * @param name the match's name, empty when unnamed
   * @param uri the path condition, null for any
   * @param scheme the condition on the URI scheme, null for any
   * @param method the condition on the method, null for any
   * @param authority the condition on the authority (Host), null for any
   * @param headers header conditions, in the order written
   * @param withoutHeaders headers that must not match, in the order written
   * @param queryParams query parameter conditions
   * @param port the port the request was sent to, 0 for any
   * @param sourceLabels labels the calling workload must carry
   * @param sourceNamespace the namespace of the calling workload, empty for any
   * @param gateways the gateways the match applies to, empty for the VirtualService's
   * @param ignoreUriCase whether the uri condition ignores case
   * @param statPrefix the prefix of the route's statistics, empty for Envoy's
   */
  public record HttpMatch(
      String name,
      StringMatch uri,
      StringMatch scheme,
      StringMatch method,
      StringMatch authority,
      List<HeaderMatch> headers,
      List<HeaderMatch> withoutHeaders,
      List<HeaderMatch> queryParams,
      int port,
      Map<String, String> sourceLabels,
      String sourceNamespace,
      List<String> gateways,
      boolean ignoreUriCase,
      String statPrefix) {
    public HttpMatch {
      Objects.requireNonNull(statPrefix, "statPrefix");
      Objects.requireNonNull(name, "name");
      headers = List.copyOf(headers);
      withoutHeaders = List.copyOf(withoutHeaders);
      queryParams = List.copyOf(queryParams);
      sourceLabels = Map.copyOf(sourceLabels);
      Objects.requireNonNull(sourceNamespace, "sourceNamespace");
      gateways = List.copyOf(gateways);
    }
  }

  /**
   * A condition on one request header or query parameter.
   *
   * @param name the header name (lower case) or parameter name
   * @param match the condition on its value; null when only its presence is asked for
   */
  public record HeaderMatch(String name, StringMatch match) {
    public HeaderMatch {
      Objects.requireNonNull(name, "name");
    }
  }

  /**
   * A destination with its share of traffic.
   *
   * @param host the service host, as written
   * @param subset the DestinationRule subset, empty for all endpoints
   * @param port the service port, 0 when not given
   * @param weight the share of traffic; 0 when not given
   * @param headers header changes for requests sent to this destination
   */
  public record RouteDestination(
      String host, String subset, int port, int weight, Headers headers) {
    public RouteDestination {
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(subset, "subset");
      Objects.requireNonNull(headers, "headers");
    }

    public RouteDestination(String host, String subset, int port, int weight) {
      this(host, subset, port, weight, Headers.NONE);
    }
  }

  /**
   * An HTTP redirect.
   *
   * @param uri the new path, empty to keep it
   * @param authority the new authority, empty to keep it
   * @param scheme the new scheme, empty to keep it
   * @param code the status code: 301, 302, 303, 307 or 308
   * @param port the new port, 0 to keep it (or derive it)
   * @param derivePort "FROM_PROTOCOL_DEFAULT", "FROM_REQUEST_PORT", or empty
   */
  public record Redirect(
      String uri, String authority, String scheme, int code, int port, String derivePort) {
    public Redirect {
      Objects.requireNonNull(uri);
      Objects.requireNonNull(authority);
      Objects.requireNonNull(scheme);
      Objects.requireNonNull(derivePort);
    }
  }

  /**
   * A fixed response.
   *
   * @param status the HTTP status
   * @param body the body, null for none
   * @param bodyIsBytes whether the body was given as base64 bytes (then {@code body} holds them
   *     decoded as ISO-8859-1 text)
   */
  public record DirectResponse(int status, String body, boolean bodyIsBytes) {
    /**
     * The largest body a route may answer with, as Istio allows; route configurations carry it as
     * Envoy's {@code max_direct_response_body_size_bytes}, whose own default is only 4 KiB.
     */
    public static final int MAX_BODY_BYTES = 1024 * 1024;
  }

  /**
   * The VirtualService a route delegates to.
   *
   * @param name its name
   * @param namespace its namespace, empty for the root's own
   */
  public record Delegate(String name, String namespace) {
    public Delegate {
      Objects.requireNonNull(name);
      Objects.requireNonNull(namespace);
    }
  }

  /**
   * How a request is rewritten before it is forwarded.
   *
   * @param uri the replacement of the matched path prefix (or of the whole path for an exact
   *     match), empty to keep the path
   * @param authority the new authority, empty to keep it
   * @param regexMatch a RE2 pattern of the path to rewrite, empty for none
   * @param regexRewrite what the matched parts become
   * @param regexProgramSize the RE2 program size of {@code regexMatch} (see {@link
   *     StringMatch#re2ProgramSize()}), 0 for none
   */
  public record Rewrite(
      String uri, String authority, String regexMatch, String regexRewrite, int regexProgramSize) {
    public Rewrite {
      Objects.requireNonNull(uri);
      Objects.requireNonNull(authority);
      Objects.requireNonNull(regexMatch);
      Objects.requireNonNull(regexRewrite);
    }
  }

  /**
   * A retry policy.
   *
   * @param attempts how many retries; 0 disables retries
   * @param perTryTimeout the timeout of each try, null for the route's
   * @param retryOn Envoy's retry conditions, comma separated; empty for Istio's default
   * @param backoff the base interval between retries, null for Envoy's default
   * @param retryRemoteLocalities whether retries go to other localities first, null when not
   *     written
   * @param retryIgnorePreviousHosts whether retries avoid hosts already tried; Istio's default is
   *     true
   */
  public record Retries(
      int attempts,
      Duration perTryTimeout,
      String retryOn,
      Duration backoff,
      Boolean retryRemoteLocalities,
      boolean retryIgnorePreviousHosts) {
    public Retries {
      Objects.requireNonNull(retryOn, "retryOn");
    }

    public Retries(int attempts, Duration perTryTimeout, String retryOn) {
      this(attempts, perTryTimeout, retryOn, null, null, true);
    }
  }

  /**
   * Faults injected into matching requests.
   *
   * @param delayFixed the delay, null for none
   * @param delayPercent the share of requests delayed, 0 to 100
   * @param abortHttpStatus the HTTP status answered, 0 for none
   * @param abortGrpcStatus the gRPC status answered (such as "UNAVAILABLE"), empty for none
   * @param abortPercent the share of requests aborted, 0 to 100
   */
  public record Fault(
      Duration delayFixed,
      double delayPercent,
      int abortHttpStatus,
      String abortGrpcStatus,
      double abortPercent) {
    public Fault {
      Objects.requireNonNull(abortGrpcStatus);
    }

    public boolean delays() {
      return delayFixed != null;
    }

    public boolean aborts() {
      return abortHttpStatus != 0 || !abortGrpcStatus.isEmpty();
    }
  }

  /**
   * A copy of the traffic sent elsewhere, its responses dropped.
   *
   * @param host the service host, as written
   * @param subset the subset, empty for all endpoints
   * @param port the service port, 0 when not given
   * @param percent the share of requests copied, 0 to 100
   */
  public record Mirror(String host, String subset, int port, double percent) {
    public Mirror {
      Objects.requireNonNull(host);
      Objects.requireNonNull(subset);
    }
  }

  /**
   * Cross-origin resource sharing.
   *
   * @param allowOrigins origins allowed
   * @param allowMethods methods allowed
   * @param allowHeaders request headers allowed
   * @param exposeHeaders response headers browsers may read
   * @param maxAge how long a preflight answer may be cached, null when not given
   * @param allowCredentials whether credentials are allowed, null when not given
   * @param unmatchedPreflights what happens to preflight requests of origins not allowed:
   *     "FORWARD", "IGNORE", or empty for the default (forwarded)
   */
  public record CorsPolicy(
      List<StringMatch> allowOrigins,
      List<String> allowMethods,
      List<String> allowHeaders,
      List<String> exposeHeaders,
      Duration maxAge,
      Boolean allowCredentials,
      String unmatchedPreflights) {
    public CorsPolicy {
      allowOrigins = List.copyOf(allowOrigins);
      allowMethods = List.copyOf(allowMethods);
      allowHeaders = List.copyOf(allowHeaders);
      exposeHeaders = List.copyOf(exposeHeaders);
      Objects.requireNonNull(unmatchedPreflights);
    }
  }

  /**
   * Header changes on requests and on responses.
   *
   * @param request changes to the request
   * @param response changes to the response
   */
  public record Headers(HeaderOperations request, HeaderOperations response) {
    public static final Headers NONE = new Headers(HeaderOperations.NONE, HeaderOperations.NONE);

    public Headers {
      Objects.requireNonNull(request);
      Objects.requireNonNull(response);
    }

    public boolean isEmpty() {
      return request.isEmpty() && response.isEmpty();
    }
  }

  /**
   * Changes to one message's headers.
   *
   * @param set headers whose value is replaced
   * @param add headers appended to
   * @param remove headers removed
   */
  public record HeaderOperations(
      Map<String, String> set, Map<String, String> add, List<String> remove) {
    public static final HeaderOperations NONE = new HeaderOperations(Map.of(), Map.of(), List.of());

    public HeaderOperations {
      set = Map.copyOf(set);
      add = Map.copyOf(add);
      remove = List.copyOf(remove);
    }

    public boolean isEmpty() {
      return set.isEmpty() && add.isEmpty() && remove.isEmpty();
    }
  }

  /**
   * A route for TCP connections.
   *
   * @param matches conditions, ORed; empty matches every connection
   * @param route weighted destinations
   */
  public record TcpRoute(List<L4Match> matches, List<RouteDestination> route) {
    public TcpRoute {
      matches = List.copyOf(matches);
      route = List.copyOf(route);
    }
  }

  /**
   * A route for TLS connections, by the server name they ask for; the TLS is not terminated.
   *
   * @param matches conditions, ORed
   * @param route weighted destinations
   */
  public record TlsRoute(List<L4Match> matches, List<RouteDestination> route) {
    public TlsRoute {
      matches = List.copyOf(matches);
      route = List.copyOf(route);
    }
  }

  /**
   * A condition on a connection; all its parts must hold.
   *
   * @param sniHosts server names (TLS routes only; required there)
   * @param destinationSubnets IP addresses or CIDR blocks the connection goes to
   * @param port the port it goes to, 0 for any
   * @param sourceLabels labels the calling workload must carry
   * @param sourceNamespace the namespace of the calling workload, empty for any
   * @param gateways the gateways the match applies to, empty for the VirtualService's
   */
  public record L4Match(
      List<String> sniHosts,
      List<String> destinationSubnets,
      int port,
      Map<String, String> sourceLabels,
      String sourceNamespace,
      List<String> gateways) {
    public L4Match {
      sniHosts = List.copyOf(sniHosts);
      destinationSubnets = List.copyOf(destinationSubnets);
      sourceLabels = Map.copyOf(sourceLabels);
      Objects.requireNonNull(sourceNamespace);
      gateways = List.copyOf(gateways);
    }
  }
}
