package dev.mizzen.pilot.generate;

import com.google.protobuf.ByteString;
import com.google.protobuf.UInt32Value;
import dev.mizzen.ingest.model.DestinationRuleSpec.ConsistentHash;
import dev.mizzen.ingest.model.VirtualServiceSpec.DirectResponse;
import dev.mizzen.ingest.model.VirtualServiceSpec.Redirect;
import dev.mizzen.ingest.model.VirtualServiceSpec.Retries;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate;
import io.envoyproxy.envoy.extensions.retry.priority.previous_priorities.v3.PreviousPrioritiesConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What an Istio HTTP route does with a request, as Envoy's route actions: forward it (timeouts,
 * retries, mirrors, the hash policy), redirect it, or answer it directly.
 */
final class RouteActionBuilder {
  /** Istio's default retry conditions. */
  static final String DEFAULT_RETRY_ON =
      "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes";

  static final RetryPolicy DEFAULT_RETRY = retry(new Retries(2, null, ""));

  private RouteActionBuilder() {}

  /** A route action with Istio's timeout (0 for none) and retries (null for none). */
  static RouteAction.Builder action(Duration timeout, RetryPolicy retry) {
    Duration t = timeout == null ? Duration.ZERO : timeout;
    RouteAction.Builder a =
        RouteAction.newBuilder()
            .setTimeout(Protos.duration(t))
            .setMaxStreamDuration(
                RouteAction.MaxStreamDuration.newBuilder()
                    .setMaxStreamDuration(Protos.duration(t))
                    .setGrpcTimeoutHeaderMax(Protos.duration(t)));
    if (retry != null) {
      a.setRetryPolicy(retry);
    }
    return a;
  }

  /** The retry policy of a route: Istio's default when none is written, none for 0 attempts. */
  static RetryPolicy retries(Retries r) {
    if (r == null) {
      return DEFAULT_RETRY;
    }
    return r.attempts() == 0 ? null : retry(r);
  }

  private static RetryPolicy retry(Retries r) {
    List<Integer> codes = new ArrayList<>();
    List<String> conditions = new ArrayList<>();
    String written = r.retryOn().isEmpty() ? DEFAULT_RETRY_ON : r.retryOn();
    for (String part : written.split(",")) {
      String c = part.trim();
      if (c.matches("[0-9]{3}")) {
        // Istio: status codes become retriable_status_codes under "retriable-status-codes".
        codes.add(Integer.parseInt(c));
      } else if (!conditions.contains(c)) {
        conditions.add(c);
      }
    }
    if (!codes.isEmpty() && !conditions.contains("retriable-status-codes")) {
      conditions.add("retriable-status-codes");
    }
    if (codes.isEmpty() && conditions.contains("retriable-status-codes")) {
      codes.add(503);
    }
    RetryPolicy.Builder b =
        RetryPolicy.newBuilder()
            .setRetryOn(String.join(",", conditions))
            .setNumRetries(UInt32Value.of(r.attempts()))
            .setHostSelectionRetryMaxAttempts(5)
            .addAllRetriableStatusCodes(codes);
    if (r.retryIgnorePreviousHosts()) {
      b.addRetryHostPredicate(
          RetryPolicy.RetryHostPredicate.newBuilder()
              .setName("envoy.retry_host_predicates.previous_hosts")
              .setTypedConfig(Protos.any(PreviousHostsPredicate.getDefaultInstance())));
    }
    if (r.perTryTimeout() != null) {
      b.setPerTryTimeout(Protos.duration(r.perTryTimeout()));
    }
    if (r.backoff() != null) {
      b.setRetryBackOff(
          RetryPolicy.RetryBackOff.newBuilder().setBaseInterval(Protos.duration(r.backoff())));
    }
    if (Boolean.TRUE.equals(r.retryRemoteLocalities())) {
      b.setRetryPriority(
          RetryPolicy.RetryPriority.newBuilder()
              .setName("envoy.retry_priorities.previous_priorities")
              .setTypedConfig(
                  Protos.any(PreviousPrioritiesConfig.newBuilder().setUpdateFrequency(2).build())));
    }
    return b.build();
  }

  /** A copy of the traffic to {@code cluster}, for a share of the requests. */
  static RouteAction.RequestMirrorPolicy mirror(String cluster, double percent) {
    RouteAction.RequestMirrorPolicy.Builder m =
        RouteAction.RequestMirrorPolicy.newBuilder().setCluster(cluster);
    if (percent < 100) {
      m.setRuntimeFraction(
          RuntimeFractionalPercent.newBuilder().setDefaultValue(Protos.percent(percent)));
    }
    return m.build();
  }

  static RedirectAction redirect(Redirect r) {
    RedirectAction.Builder b = RedirectAction.newBuilder();
    if (!r.uri().isEmpty()) {
      b.setPathRedirect(r.uri());
    }
    if (!r.authority().isEmpty()) {
      b.setHostRedirect(r.authority());
    }
    if (!r.scheme().isEmpty()) {
      b.setSchemeRedirect(r.scheme());
    }
    if (r.port() != 0) {
      b.setPortRedirect(r.port());
    } else if (r.derivePort().equals("FROM_PROTOCOL_DEFAULT") && !r.scheme().isEmpty()) {
      b.setPortRedirect(r.scheme().equals("https") ? 443 : 80);
    }
    b.setResponseCode(
        switch (r.code()) {
          case 302 -> RedirectAction.RedirectResponseCode.FOUND;
          case 303 -> RedirectAction.RedirectResponseCode.SEE_OTHER;
          case 307 -> RedirectAction.RedirectResponseCode.TEMPORARY_REDIRECT;
          case 308 -> RedirectAction.RedirectResponseCode.PERMANENT_REDIRECT;
          default -> RedirectAction.RedirectResponseCode.MOVED_PERMANENTLY;
        });
    return b.build();
  }

  static DirectResponseAction directResponse(DirectResponse d) {
    DirectResponseAction.Builder b = DirectResponseAction.newBuilder().setStatus(d.status());
    if (d.body() != null) {
      b.setBody(
          d.bodyIsBytes()
              ? DataSource.newBuilder()
                  .setInlineBytes(ByteString.copyFrom(d.body(), StandardCharsets.ISO_8859_1))
              : DataSource.newBuilder().setInlineString(d.body()));
    }
    return b.build();
  }

  /** The hash policy of a DestinationRule's consistent hash, as the route carries it. */
  static RouteAction.HashPolicy hashPolicy(ConsistentHash h) {
    RouteAction.HashPolicy.Builder b = RouteAction.HashPolicy.newBuilder();
    if (!h.httpHeaderName().isEmpty()) {
      b.setHeader(RouteAction.HashPolicy.Header.newBuilder().setHeaderName(h.httpHeaderName()));
    } else if (!h.cookieName().isEmpty()) {
      RouteAction.HashPolicy.Cookie.Builder c =
          RouteAction.HashPolicy.Cookie.newBuilder().setName(h.cookieName());
      if (!h.cookiePath().isEmpty()) {
        c.setPath(h.cookiePath());
      }
      if (h.cookieTtl() != null) {
        c.setTtl(Protos.duration(h.cookieTtl()));
      }
      b.setCookie(c);
    } else if (h.useSourceIp()) {
      b.setConnectionProperties(
          RouteAction.HashPolicy.ConnectionProperties.newBuilder().setSourceIp(true));
    } else {
      b.setQueryParameter(
          RouteAction.HashPolicy.QueryParameter.newBuilder().setName(h.queryParameter()));
    }
    return b.build();
  }
}
