package dev.mizzen.authz.rbac;

import com.google.protobuf.Any;
import dev.mizzen.ingest.model.AuthorizationPolicySpec.Action;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.util.Objects;

/**
 * One generated RBAC filter: its action, its rules, and whether they are only logged.
 *
 * @param action AUDIT (Envoy's LOG), DENY or ALLOW
 * @param rules the RBAC config with its policies by name
 * @param shadow whether the rules are Envoy shadow rules: evaluated and logged, not enforced
 */
public record RbacFilter(Action action, RBAC rules, boolean shadow) {
  public static final String HTTP_NAME = "envoy.filters.http.rbac";
  public static final String NETWORK_NAME = "envoy.filters.network.rbac";
  /** Istio's statistics prefixes; Istio writes the first even where there are no shadow rules. */
  static final String SHADOW_ALLOW_PREFIX = "istio_dry_run_allow_";

  static final String SHADOW_DENY_PREFIX = "istio_dry_run_deny_";
  static final String TCP_STAT_PREFIX = "tcp.";

  public RbacFilter {
    Objects.requireNonNull(action);
    Objects.requireNonNull(rules);
  }

  /** The HTTP filter, named {@code name} (Envoy allows repeated names, gRPC does not). */
  public HttpFilter http(String name) {
    var b = io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.newBuilder();
    if (shadow) {
      b.setShadowRules(rules).setShadowRulesStatPrefix(shadowPrefix());
    } else {
      b.setRules(rules).setShadowRulesStatPrefix(SHADOW_ALLOW_PREFIX);
    }
    return HttpFilter.newBuilder().setName(name).setTypedConfig(Any.pack(b.build())).build();
  }

  /** The network (TCP) filter. */
  public Filter network() {
    var b =
        io.envoyproxy.envoy.extensions.filters.network.rbac.v3.RBAC.newBuilder()
            .setStatPrefix(TCP_STAT_PREFIX);
    if (shadow) {
      b.setShadowRules(rules).setShadowRulesStatPrefix(shadowPrefix());
    } else {
      b.setRules(rules).setShadowRulesStatPrefix(SHADOW_ALLOW_PREFIX);
    }
    return Filter.newBuilder().setName(NETWORK_NAME).setTypedConfig(Any.pack(b.build())).build();
  }

  private String shadowPrefix() {
    return action == Action.DENY ? SHADOW_DENY_PREFIX : SHADOW_ALLOW_PREFIX;
  }
}
