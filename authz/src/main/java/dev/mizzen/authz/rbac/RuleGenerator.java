package dev.mizzen.authz.rbac;

import dev.mizzen.authz.rbac.Matcher.And;
import dev.mizzen.authz.rbac.Matcher.Any;
import dev.mizzen.authz.rbac.Matcher.Not;
import dev.mizzen.authz.rbac.Matcher.Or;
import dev.mizzen.ingest.model.AuthorizationPolicySpec.Action;
import dev.mizzen.ingest.model.AuthorizationPolicySpec.Attribute;
import dev.mizzen.ingest.model.AuthorizationPolicySpec.Condition;
import dev.mizzen.ingest.model.AuthorizationPolicySpec.Operation;
import dev.mizzen.ingest.model.AuthorizationPolicySpec.Rule;
import dev.mizzen.ingest.model.AuthorizationPolicySpec.Source;
import dev.mizzen.ingest.model.AuthorizationPolicySpec.Value;
import dev.mizzen.ingest.model.AuthorizationPolicySpec.Values;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Stage one of the RBAC builder: one AuthorizationPolicy rule into a {@link GeneratedRule} for one
 * kind of filter chain, failing closed as Istio's builder does.
 *
 * <ul>
 *   <li>In an ALLOW policy a rule holding any problem, or (on TCP) any HTTP-only field, is dropped:
 *       the policy allows less.
 *   <li>In a DENY or AUDIT policy a bad value or condition, or an HTTP-only field on TCP, is left
 *       out: the rule matches more. A rule that could not be read at all matches everything.
 * </ul>
 *
 * <p>The order of the conditions follows Istio's generator, so that the output compares equal to
 * what istiod produces: for a source its principals, request principals, namespaces, remote IP
 * blocks, IP blocks, then the principal-side {@code when} keys as written; for an operation its
 * hosts, methods, paths, ports, then the permission-side {@code when} keys.
 */
final class RuleGenerator {
  private static final List<Matcher> ANY = List.of(new And(List.of(new Any())));

  private RuleGenerator() {}

  /**
   * @param namespace the policy's namespace, for names and for service accounts written without one
   * @param policy the policy's name
   * @param index the rule's index in the policy
   * @param forTcp whether the rule is for a TCP filter chain, where nothing HTTP can be seen
   * @return the rule, or empty when it is dropped
   */
  static Optional<GeneratedRule> generate(
      String namespace, String policy, int index, Rule rule, Action action, boolean forTcp) {
    String name = GeneratedRule.name(namespace, policy, index);
    boolean allow = action == Action.ALLOW;
    if (rule.unreadable() != null) {
      return allow ? Optional.empty() : Optional.of(new GeneratedRule(name, ANY, ANY));
    }
    if (allow && (rule.hasProblems() || forTcp && usesHttp(rule))) {
      return Optional.empty();
    }
    List<Matcher> permissionWhen = new ArrayList<>();
    List<Matcher> principalWhen = new ArrayList<>();
    for (Condition c : rule.when()) {
      if (c.attribute() == null || c.problem() != null || forTcp && c.attribute().httpOnly()) {
        continue;
      }
      (isPermission(c.attribute()) ? permissionWhen : principalWhen).addAll(condition(c));
    }
    List<Matcher> principals = new ArrayList<>();
    for (Source s : rule.from()) {
      List<Matcher> and = source(s, namespace, forTcp);
      and.addAll(principalWhen);
      principals.add(and(and));
    }
    if (rule.from().isEmpty()) {
      principals.add(and(principalWhen));
    }
    List<Matcher> permissions = new ArrayList<>();
    for (Operation o : rule.to()) {
      List<Matcher> and = operation(o, forTcp);
      and.addAll(permissionWhen);
      permissions.add(and(and));
    }
    if (rule.to().isEmpty()) {
      permissions.add(and(permissionWhen));
    }
    return Optional.of(new GeneratedRule(name, permissions, principals));
  }

  /** The policy Istio writes for an ALLOW policy without rules: it matches nothing. */
  static GeneratedRule matchNothing(String namespace, String policy) {
    return new GeneratedRule(
        GeneratedRule.name(namespace, policy, 0),
        List.of(new Not(new Any())),
        List.of(new Not(new Any())));
  }

  private static Matcher and(List<Matcher> all) {
    return new And(all.isEmpty() ? List.of(new Any()) : all);
  }

  private static List<Matcher> source(Source s, String namespace, boolean forTcp) {
    List<Matcher> and = new ArrayList<>();
    and.addAll(ored(s.serviceAccounts(), v -> Patterns.serviceAccount(v, namespace)));
    and.addAll(ored(s.principals(), Patterns::principal));
    if (!forTcp) {
      and.addAll(requestPrincipals(s.requestPrincipals()));
    }
    and.addAll(ored(s.namespaces(), Patterns::namespace));
    and.addAll(ored(s.remoteIpBlocks(), v -> new Matcher.SourceIp(Cidr.parse(v), false)));
    and.addAll(ored(s.ipBlocks(), v -> new Matcher.SourceIp(Cidr.parse(v), true)));
    return and;
  }

  private static List<Matcher> operation(Operation o, boolean forTcp) {
    List<Matcher> and = new ArrayList<>();
    if (!forTcp) {
      and.addAll(ored(o.hosts(), v -> Patterns.header(":authority", v, true)));
      and.addAll(ored(o.methods(), v -> Patterns.header(":method", v, false)));
      and.addAll(ored(o.paths(), Patterns::path));
    }
    and.addAll(ored(o.ports(), v -> new Matcher.DestinationPort(Integer.parseInt(v))));
    return and;
  }

  private static List<Matcher> condition(Condition c) {
    Values v = c.values();
    List<String> args = c.arguments();
    return switch (c.attribute()) {
      case REQUEST_HEADER -> ored(v, x -> Patterns.header(args.get(0), x, false));
      case REQUEST_REGEX_HEADER -> ored(v, x -> new Matcher.HeaderRegex(args.get(0), x));
      case SOURCE_IP -> ored(v, x -> new Matcher.SourceIp(Cidr.parse(x), true));
      case REMOTE_IP -> ored(v, x -> new Matcher.SourceIp(Cidr.parse(x), false));
      case SOURCE_NAMESPACE -> ored(v, Patterns::namespace);
      case SOURCE_PRINCIPAL -> ored(v, Patterns::principal);
      case REQUEST_PRINCIPAL -> requestPrincipals(v);
      case REQUEST_AUDIENCES -> whole(v, xs -> Patterns.claimOneOf(List.of("aud"), xs));
      case REQUEST_PRESENTER -> whole(v, xs -> Patterns.claimOneOf(List.of("azp"), xs));
      case REQUEST_CLAIMS -> whole(v, xs -> Patterns.claimOneOf(args, xs));
      case DESTINATION_IP -> ored(v, x -> new Matcher.DestinationIp(Cidr.parse(x)));
      case DESTINATION_PORT -> ored(v, x -> new Matcher.DestinationPort(Integer.parseInt(x)));
      case CONNECTION_SNI -> ored(v, x -> new Matcher.Sni(Patterns.string(x)));
      case ENVOY_FILTER -> whole(v, xs -> Patterns.envoyFilter(args.get(0), args.get(1), xs));
    };
  }

  private static boolean isPermission(Attribute a) {
    return switch (a) {
      case DESTINATION_IP, DESTINATION_PORT, CONNECTION_SNI, ENVOY_FILTER -> true;
      default -> false;
    };
  }

  /** values: one OR of a matcher per value; notValues: NOT of such an OR. */
  private static List<Matcher> ored(Values values, Function<String, Matcher> each) {
    List<Matcher> out = new ArrayList<>(2);
    List<Matcher> in = convert(values.in(), each);
    if (!in.isEmpty()) {
      out.add(new Or(in));
    }
    List<Matcher> notIn = convert(values.notIn(), each);
    if (!notIn.isEmpty()) {
      out.add(new Not(new Or(notIn)));
    }
    return out;
  }

  /** JWT principals: a bare issuer-and-subject pair for one value, an OR for several. */
  private static List<Matcher> requestPrincipals(Values values) {
    List<Matcher> out = new ArrayList<>(2);
    List<Matcher> in = convert(values.in(), Patterns::requestPrincipal);
    if (!in.isEmpty()) {
      out.add(in.size() == 1 ? in.get(0) : new Or(in));
    }
    List<Matcher> notIn = convert(values.notIn(), Patterns::requestPrincipal);
    if (!notIn.isEmpty()) {
      out.add(new Not(notIn.size() == 1 ? notIn.get(0) : new Or(notIn)));
    }
    return out;
  }

  /** Keys whose values all go into one metadata matcher. */
  private static List<Matcher> whole(Values values, Function<List<String>, Matcher> all) {
    List<Matcher> out = new ArrayList<>(2);
    List<String> in = valid(values.in());
    if (!in.isEmpty()) {
      out.add(all.apply(in));
    }
    List<String> notIn = valid(values.notIn());
    if (!notIn.isEmpty()) {
      out.add(new Not(all.apply(notIn)));
    }
    return out;
  }

  /** Only the valid values: in DENY and AUDIT, what is left out makes the rule wider. */
  private static List<Matcher> convert(List<Value> values, Function<String, Matcher> each) {
    List<Matcher> out = new ArrayList<>(values.size());
    for (String v : valid(values)) {
      out.add(each.apply(v));
    }
    return out;
  }

  private static List<String> valid(List<Value> values) {
    List<String> out = new ArrayList<>(values.size());
    for (Value v : values) {
      if (v.isValid()) {
        out.add(v.text());
      }
    }
    return out;
  }

  /** Whether the rule names anything only an HTTP request carries. */
  static boolean usesHttp(Rule rule) {
    for (Source s : rule.from()) {
      if (!s.requestPrincipals().isEmpty()) {
        return true;
      }
    }
    for (Operation o : rule.to()) {
      if (!o.hosts().isEmpty() || !o.methods().isEmpty() || !o.paths().isEmpty()) {
        return true;
      }
    }
    for (Condition c : rule.when()) {
      if (c.attribute() != null && c.attribute().httpOnly()) {
        return true;
      }
    }
    return false;
  }
}
