package dev.mizzen.authz.rbac;

import com.google.protobuf.Any;
import dev.mizzen.ingest.model.AuthorizationPolicySpec.Action;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.util.Objects;

/**
 * One generated RBAC filter: its action, its rules, whether they are only logged, and the rules of
 * dry-run policies.
 *
 * @param action AUDIT (Envoy's LOG), DENY or ALLOW
 * @param rules the RBAC config with its policies by name; null when only dry-run policies of the
 *     action apply, so that nothing is enforced
 * @param shadow whether the rules are Envoy shadow rules: evaluated and logged, not enforced
 *     (ServiceMeshRbacConfig's PERMISSIVE mode)
 * @param dryRun the rules of the policies annotated {@code istio.io/dry-run: "true"}, sent as Envoy
 *     shadow rules; null when there are none
 */
public record RbacFilter(Action action, RBAC rules, boolean shadow, RBAC dryRun) {
  public static final String HTTP_NAME = "envoy.filters.http.rbac";
  public static final String NETWORK_NAME = "envoy.filters.network.rbac";

  /** Istio's statistics prefixes; Istio writes the first even where there are no shadow rules. */
  static final String SHADOW_ALLOW_PREFIX = "istio_dry_run_allow_";

  static final String SHADOW_DENY_PREFIX = "istio_dry_run_deny_";
  static final String TCP_STAT_PREFIX = "tcp.";

  public RbacFilter {
    Objects.requireNonNull(action);
    if (rules == null && dryRun == null) {
      throw new IllegalArgumentException("a filter needs rules, dry-run rules, or both");
    }
  }

  /** A filter without dry-run policies. */
  public RbacFilter(Action action, RBAC rules, boolean shadow) {
    this(action, Objects.requireNonNull(rules), shadow, null);
  }

  /** Whether the filter enforces anything: it has rules, and they are not only logged. */
  public boolean enforces() {
    return rules != null && !shadow;
  }

  /** The HTTP filter, named {@code name} (Envoy allows repeated names, gRPC does not). */
  public HttpFilter http(String name) {
    var b = io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.newBuilder();
    if (shadow) {
      b.setShadowRules(logged()).setShadowRulesStatPrefix(shadowPrefix());
    } else {
      if (rules != null) {
        b.setRules(rules);
      }
      if (dryRun != null) {
        b.setShadowRules(dryRun);
      }
      b.setShadowRulesStatPrefix(dryRun != null ? dryRunPrefix() : SHADOW_ALLOW_PREFIX);
    }
    return HttpFilter.newBuilder().setName(name).setTypedConfig(Any.pack(b.build())).build();
  }

  /** The network (TCP) filter. */
  public Filter network() {
    var b =
        io.envoyproxy
            .envoy
            .extensions
            .filters
            .network
            .rbac
            .v3
            .RBAC
            .newBuilder()
            .setStatPrefix(TCP_STAT_PREFIX);
    if (shadow) {
      b.setShadowRules(logged()).setShadowRulesStatPrefix(shadowPrefix());
    } else {
      if (rules != null) {
        b.setRules(rules);
      }
      if (dryRun != null) {
        b.setShadowRules(dryRun);
      }
      b.setShadowRulesStatPrefix(dryRun != null ? dryRunPrefix() : SHADOW_ALLOW_PREFIX);
    }
    return Filter.newBuilder().setName(NETWORK_NAME).setTypedConfig(Any.pack(b.build())).build();
  }

  /** Everything only logged in PERMISSIVE mode: the rules and the dry-run rules together. */
  private RBAC logged() {
    if (dryRun == null) {
      return rules;
    }
    return rules == null
        ? dryRun
        : rules.toBuilder().putAllPolicies(dryRun.getPoliciesMap()).build();
  }

  /** Istio's prefix for dry-run rules: by action, none for AUDIT. */
  private String dryRunPrefix() {
    return switch (action) {
      case ALLOW -> SHADOW_ALLOW_PREFIX;
      case DENY -> SHADOW_DENY_PREFIX;
      case AUDIT -> "";
    };
  }

  private String shadowPrefix() {
    return action == Action.DENY ? SHADOW_DENY_PREFIX : SHADOW_ALLOW_PREFIX;
  }
}
