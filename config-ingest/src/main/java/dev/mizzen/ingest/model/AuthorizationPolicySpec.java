package dev.mizzen.ingest.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An Istio AuthorizationPolicy (security.istio.io), with Maistra's {@code request.regex.headers}.
 *
 * <p>Unlike other kinds, a policy with an invalid value is not refused as a whole: refusing it
 * would remove it, and removing an authorization policy can open access. Each value, condition and
 * rule carries its own {@link Problem} instead, and the authorization builder fails closed on it
 * (an ALLOW rule holding a problem is dropped, a DENY or AUDIT condition holding one is widened).
 * Only what makes the whole object meaningless (unreadable spec, CUSTOM action, a DENY policy
 * without rules) refuses it.
 *
 * @param selector the workload labels the policy applies to; empty selects every workload of the
 *     namespace (of the mesh, in the root namespace)
 * @param action what a match means
 * @param rules the rules, ORed; none means "never matches" (an ALLOW policy then denies all)
 */
public record AuthorizationPolicySpec(Map<String, String> selector, Action action, List<Rule> rules)
    implements Spec {

  public AuthorizationPolicySpec {
    selector = Map.copyOf(selector);
    Objects.requireNonNull(action, "action");
    rules = List.copyOf(rules);
  }

  /** Every problem of the policy, in the order written. */
  public List<Problem> problems() {
    List<Problem> all = new ArrayList<>();
    for (Rule r : rules) {
      r.collectProblems(all);
    }
    return all;
  }

  /** What a matching policy does; CUSTOM is refused at ingest. */
  public enum Action {
    ALLOW,
    DENY,
    AUDIT
  }

  /**
   * What is wrong with a part of the policy.
   *
   * @param field the path of the offending field, such as "spec.rules[0].when[1].values[0]"
   * @param reason what is wrong
   */
  public record Problem(String field, String reason) {
    public Problem {
      Objects.requireNonNull(field, "field");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * One rule: a request matches when one of its sources, one of its operations and all of its
   * conditions match.
   *
   * @param from the sources, ORed; empty matches any source
   * @param to the operations, ORed; empty matches any operation
   * @param when the conditions, ANDed
   * @param unreadable why the rule could not be read at all, null when it could
   */
  public record Rule(
      List<Source> from, List<Operation> to, List<Condition> when, Problem unreadable) {
    public Rule {
      from = List.copyOf(from);
      to = List.copyOf(to);
      when = List.copyOf(when);
    }

    /** A rule that could not be read; it matches nothing in ALLOW and everything in DENY. */
    public static Rule unreadable(Problem problem) {
      return new Rule(List.of(), List.of(), List.of(), Objects.requireNonNull(problem));
    }

    /** Whether the rule or anything in it has a problem. */
    public boolean hasProblems() {
      List<Problem> found = new ArrayList<>();
      collectProblems(found);
      return !found.isEmpty();
    }

    void collectProblems(List<Problem> out) {
      if (unreadable != null) {
        out.add(unreadable);
        return;
      }
      for (Source s : from) {
        for (Values v : s.all()) {
          v.collectProblems(out);
        }
      }
      for (Operation o : to) {
        for (Values v : o.all()) {
          v.collectProblems(out);
        }
      }
      for (Condition c : when) {
        if (c.problem() != null) {
          out.add(c.problem());
        }
        c.values().collectProblems(out);
      }
    }
  }

  /**
   * Who a request comes from; all non-empty fields must match.
   *
   * @param principals peer identities (mTLS), such as "cluster.local/ns/default/sa/client"
   * @param requestPrincipals JWT identities, "ISSUER/SUBJECT"
   * @param namespaces the peer's namespace, taken from its identity
   * @param serviceAccounts "NAMESPACE/NAME" or "NAME" (in the policy's namespace)
   * @param ipBlocks the connection's peer address (Envoy's direct remote IP)
   * @param remoteIpBlocks the original client address (X-Forwarded-For, proxy protocol)
   */
  public record Source(
      Values principals,
      Values requestPrincipals,
      Values namespaces,
      Values serviceAccounts,
      Values ipBlocks,
      Values remoteIpBlocks) {
    public Source {
      Objects.requireNonNull(principals);
      Objects.requireNonNull(requestPrincipals);
      Objects.requireNonNull(namespaces);
      Objects.requireNonNull(serviceAccounts);
      Objects.requireNonNull(ipBlocks);
      Objects.requireNonNull(remoteIpBlocks);
    }

    List<Values> all() {
      return List.of(
          principals, requestPrincipals, namespaces, serviceAccounts, ipBlocks, remoteIpBlocks);
    }
  }

  /**
   * What a request asks for; all non-empty fields must match.
   *
   * @param hosts the Host (:authority) header
   * @param ports the destination port
   * @param methods the HTTP method (for gRPC always POST)
   * @param paths the path, with Istio's {@code {*}} and {@code {**}} templates
   */
  public record Operation(Values hosts, Values ports, Values methods, Values paths) {
    public Operation {
      Objects.requireNonNull(hosts);
      Objects.requireNonNull(ports);
      Objects.requireNonNull(methods);
      Objects.requireNonNull(paths);
    }

    List<Values> all() {
      return List.of(hosts, ports, methods, paths);
    }
  }

  /**
   * One {@code when} condition.
   *
   * @param key the key as written, such as "request.headers[x-user]"
   * @param attribute what the key names; null when the key is not one Istio or Maistra defines
   * @param arguments the key's bracketed parts: the header name, the claim path, or the Envoy
   *     filter name and metadata key
   * @param values the values and notValues
   * @param problem what is wrong with the condition as a whole (its key, no values), null when
   *     nothing is
   */
  public record Condition(
      String key, Attribute attribute, List<String> arguments, Values values, Problem problem) {
    public Condition {
      Objects.requireNonNull(key, "key");
      arguments = List.copyOf(arguments);
      Objects.requireNonNull(values, "values");
      if (attribute == null && problem == null) {
        throw new IllegalArgumentException("a condition without a known attribute needs a problem");
      }
    }
  }

  /** The attributes a {@code when} key can name. */
  public enum Attribute {
    REQUEST_HEADER("request.headers", true),
    REQUEST_REGEX_HEADER("request.regex.headers", true),
    SOURCE_IP("source.ip", false),
    REMOTE_IP("remote.ip", false),
    SOURCE_NAMESPACE("source.namespace", false),
    SOURCE_PRINCIPAL("source.principal", false),
    REQUEST_PRINCIPAL("request.auth.principal", true),
    REQUEST_AUDIENCES("request.auth.audiences", true),
    REQUEST_PRESENTER("request.auth.presenter", true),
    REQUEST_CLAIMS("request.auth.claims", true),
    DESTINATION_IP("destination.ip", false),
    DESTINATION_PORT("destination.port", false),
    CONNECTION_SNI("connection.sni", false),
    ENVOY_FILTER("experimental.envoy.filters", false);

    private final String key;
    private final boolean httpOnly;

    Attribute(String key, boolean httpOnly) {
      this.key = key;
      this.httpOnly = httpOnly;
    }

    /** The key, or for bracketed keys the part before the brackets. */
    public String key() {
      return key;
    }

    /** Whether only HTTP requests carry it (a TCP connection has no headers or JWT). */
    public boolean httpOnly() {
      return httpOnly;
    }
  }

  /**
   * Values and notValues of one field: a request matches when it matches one of {@code in} (or
   * {@code in} is empty) and none of {@code notIn}.
   */
  public record Values(List<Value> in, List<Value> notIn) {
    private static final Values NONE = new Values(List.of(), List.of());

    public Values {
      in = List.copyOf(in);
      notIn = List.copyOf(notIn);
    }

    public static Values none() {
      return NONE;
    }

    public boolean isEmpty() {
      return in.isEmpty() && notIn.isEmpty();
    }

    void collectProblems(List<Problem> out) {
      for (Value v : in) {
        if (v.problem() != null) {
          out.add(v.problem());
        }
      }
      for (Value v : notIn) {
        if (v.problem() != null) {
          out.add(v.problem());
        }
      }
    }
  }

  /**
   * One value as written.
   *
   * @param text the value
   * @param problem why it is invalid, null when it is valid
   */
  public record Value(String text, Problem problem) {
    public Value {
      Objects.requireNonNull(text, "text");
    }

    public static Value valid(String text) {
      return new Value(text, null);
    }

    public boolean isValid() {
      return problem == null;
    }
  }
}
