package dev.mizzen.authz;

import dev.mizzen.authz.authn.JwtFilters;
import dev.mizzen.authz.authn.Mtls;
import dev.mizzen.authz.authn.PeerModes;
import dev.mizzen.authz.authn.Selectors;
import dev.mizzen.authz.rbac.DryRun;
import dev.mizzen.ingest.model.AuthorizationPolicySpec;
import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.ConfigError;
import dev.mizzen.ingest.model.JwtRule;
import dev.mizzen.ingest.model.Kind;
import dev.mizzen.ingest.model.MeshPolicySpec;
import dev.mizzen.ingest.model.PeerAuthenticationSpec;
import dev.mizzen.ingest.model.RbacConfigSpec;
import dev.mizzen.ingest.model.RequestAuthenticationSpec;
import dev.mizzen.ingest.model.Spec;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Authorization and authentication of one push: which policies apply to which workload, the filters
 * and TLS modes they become, and what is wrong with them. Immutable; built once per push and read
 * by every generator of it.
 */
public final class Authorization {
  private static final Comparator<Config<?>> OLDEST_FIRST =
      Comparator.comparing((Config<?> c) -> c.meta().creationTimestamp())
          .thenComparing(Config::namespace)
          .thenComparing(Config::name);
  static final String HONOURED_NAME = "default";

  private final AuthzInputs in;
  private final List<Config<AuthorizationPolicySpec>> policies;
  private final List<Config<RequestAuthenticationSpec>> requestAuthentications;
  private final Optional<Config<MeshPolicySpec>> meshPolicy;
  private final Optional<Config<RbacConfigSpec>> rbacConfig;
  private final PeerModes peerModes;
  private final List<ConfigError> errors;
  private final List<ConfigError> warnings;

  private Authorization(AuthzInputs in) {
    this.in = in;
    this.policies = sorted(in.authorizationPolicies());
    this.requestAuthentications = sorted(in.requestAuthentications());
    List<ConfigError> found = new ArrayList<>();
    this.meshPolicy = honoured(in.meshPolicies(), in.controlPlaneNamespace(), found);
    this.rbacConfig = honoured(in.rbacConfigs(), in.controlPlaneNamespace(), found);
    this.peerModes =
        new PeerModes(sorted(in.peerAuthentications()), meshPolicy, in.rootNamespace());
    List<ConfigError> errs = new ArrayList<>();
    for (Config<?> c : securityConfigs(in)) {
      if (c.isStandIn()) {
        errs.add(c.failedClosed());
      }
    }
    for (Config<AuthorizationPolicySpec> p : policies) {
      for (AuthorizationPolicySpec.Problem problem : p.spec().problems()) {
        errs.add(problem(p, problem.field(), problem.reason()));
      }
      PolicyLint.orInsteadOfAnd(p).ifPresent(w -> found.add(problem(p, "spec.rules", w)));
      if (DryRun.of(p).isEmpty()) {
        found.add(
            problem(
                p,
                "metadata.annotations." + DryRun.ANNOTATION,
                "\""
                    + p.meta().annotations().get(DryRun.ANNOTATION)
                    + "\" is not true or false; the policy is enforced, as Istio enforces it"));
      }
    }
    jwksWarnings(found);
    this.errors = List.copyOf(errs);
    this.warnings = List.copyOf(found);
  }

  public static Authorization build(AuthzInputs in) {
    return new Authorization(in);
  }

  /**
   * What is served fail closed: first the refused security objects served by their stand-ins (see
   * {@code FailClosedStandIns} in ingest), then the problems of accepted AuthorizationPolicies, the
   * ALLOW rule holding one dropped, the DENY or AUDIT condition holding one widened.
   */
  public List<ConfigError> errors() {
    return errors;
  }

  /** Config that is served, or ignored, but is probably not what its author meant. */
  public List<ConfigError> warnings() {
    return warnings;
  }

  /**
   * The label keys that policy selectors in {@code namespace} and the root namespace use: proxies
   * that agree on these labels are given the same policies.
   */
  public Set<String> selectorKeys(String namespace) {
    Set<String> keys = new TreeSet<>();
    for (Config<?> c : selecting()) {
      if (c.namespace().equals(namespace) || c.namespace().equals(in.rootNamespace())) {
        keys.addAll(selector(c).keySet());
      }
    }
    return keys;
  }

  /** The authorization of one workload. */
  public WorkloadAuthz workload(Workload w) {
    List<Config<AuthorizationPolicySpec>> applying = new ArrayList<>();
    for (Config<AuthorizationPolicySpec> p : policies) {
      if (applies(p, p.spec().selector(), w)) {
        applying.add(p);
      }
    }
    boolean enforced = false;
    boolean shadow = false;
    if (rbacConfig.isPresent()) {
      RbacConfigSpec c = rbacConfig.get().spec();
      enforced =
          switch (c.mode()) {
            case OFF -> false;
            case ON -> true;
            case ON_WITH_INCLUSION -> c.inclusion().lists(w.namespace(), w.services());
            case ON_WITH_EXCLUSION -> !c.exclusion().lists(w.namespace(), w.services());
          };
      shadow = enforced && c.permissive();
    }
    Map<String, JwtRule> jwt = new LinkedHashMap<>();
    for (Config<RequestAuthenticationSpec> ra : requestAuthentications) {
      if (applies(ra, ra.spec().selector(), w)) {
        ra.spec().jwtRules().forEach(r -> jwt.putIfAbsent(r.issuer(), r));
      }
    }
    boolean tokenRequired = false;
    if (meshPolicy.isPresent()) {
      MeshPolicySpec smp = meshPolicy.get().spec();
      smp.origins().forEach(r -> jwt.putIfAbsent(r.issuer(), r));
      tokenRequired = !smp.origins().isEmpty() && !smp.originIsOptional();
    }
    return new WorkloadAuthz(
        w,
        applying,
        enforced ? rbacConfig.get().ref().qualifiedName() : "",
        enforced,
        shadow,
        List.copyOf(jwt.values()),
        tokenRequired,
        peerModes);
  }

  /**
   * The mutual TLS mode of a port of the workloads {@code selector} picks (for clients of them).
   */
  public Mtls mtls(String namespace, Map<String, String> labels, int port) {
    return peerModes.resolve(namespace, labels, port);
  }

  /** A policy in the root namespace applies mesh-wide; otherwise only in its own namespace. */
  private boolean applies(Config<?> c, Map<String, String> selector, Workload w) {
    boolean inScope =
        c.namespace().equals(w.namespace()) || c.namespace().equals(in.rootNamespace());
    return inScope && Selectors.matches(selector, w.labels());
  }

  private static List<Config<?>> securityConfigs(AuthzInputs in) {
    List<Config<?>> all = new ArrayList<>();
    all.addAll(sorted(in.authorizationPolicies()));
    all.addAll(sorted(in.peerAuthentications()));
    all.addAll(sorted(in.requestAuthentications()));
    all.addAll(sorted(in.meshPolicies()));
    all.addAll(sorted(in.rbacConfigs()));
    return all;
  }

  private List<Config<?>> selecting() {
    List<Config<?>> all = new ArrayList<>(policies);
    all.addAll(requestAuthentications);
    all.addAll(in.peerAuthentications());
    return all;
  }

  private static Map<String, String> selector(Config<?> c) {
    if (c.spec() instanceof AuthorizationPolicySpec a) {
      return a.selector();
    }
    if (c.spec() instanceof RequestAuthenticationSpec r) {
      return r.selector();
    }
    if (c.spec() instanceof PeerAuthenticationSpec p) {
      return p.selector();
    }
    return Map.of();
  }

  /**
   * Maistra honours its control-plane-wide kinds only as "default" in the control plane's
   * namespace.
   */
  private static <S extends Spec> Optional<Config<S>> honoured(
      List<Config<S>> all, String controlPlaneNamespace, List<ConfigError> warnings) {
    Optional<Config<S>> found = Optional.empty();
    for (Config<S> c : sorted(all)) {
      Optional<ConfigError> ignored = notHonoured(c, controlPlaneNamespace);
      if (ignored.isEmpty()) {
        found = Optional.of(c);
      } else {
        warnings.add(ignored.get());
      }
    }
    return found;
  }

  /**
   * Why an object of one of Maistra's control-plane-wide kinds (ServiceMeshPolicy,
   * ServiceMeshRbacConfig) is accepted but ignored: any but the one named "default" in the control
   * plane's namespace. Empty for every other object.
   */
  public static Optional<ConfigError> notHonoured(Config<?> c, String controlPlaneNamespace) {
    boolean meshWide =
        c.kind() == Kind.SERVICE_MESH_POLICY || c.kind() == Kind.SERVICE_MESH_RBAC_CONFIG;
    if (!meshWide
        || (c.namespace().equals(controlPlaneNamespace) && c.name().equals(HONOURED_NAME))) {
      return Optional.empty();
    }
    return Optional.of(
        problem(
            c,
            "metadata",
            "ignored: only the "
                + c.kind().name()
                + " named \"default\" in the control plane's namespace \""
                + controlPlaneNamespace
                + "\" is honoured"));
  }

  private void jwksWarnings(List<ConfigError> warnings) {
    List<Config<?>> withRules = new ArrayList<>(requestAuthentications);
    meshPolicy.ifPresent(withRules::add);
    for (Config<?> c : withRules) {
      List<JwtRule> rules =
          c.spec() instanceof RequestAuthenticationSpec r
              ? r.jwtRules()
              : ((MeshPolicySpec) c.spec()).origins();
      for (JwtRule rule : rules) {
        if (rule.jwksUri().isEmpty()) {
          continue;
        }
        String host = URI.create(rule.jwksUri()).getHost();
        if (!in.serviceHosts().contains(host)) {
          warnings.add(
              problem(
                  c,
                  "jwksUri",
                  "the keys of issuer \""
                      + rule.issuer()
                      + "\" are fetched through cluster "
                      + JwtFilters.jwksCluster(rule.jwksUri())
                      + ", but "
                      + host
                      + " is not a service of the mesh: proxies cannot fetch them and refuse that"
                      + " issuer's tokens; give the keys inline with jwks"));
        }
      }
    }
  }

  private static ConfigError problem(Config<?> c, String field, String reason) {
    return new ConfigError(c.origin(), c.kind().name(), c.namespace(), c.name(), field, reason);
  }

  private static <C extends Config<?>> List<C> sorted(List<C> configs) {
    List<C> copy = new ArrayList<>(configs);
    copy.sort(OLDEST_FIRST);
    return List.copyOf(copy);
  }
}
