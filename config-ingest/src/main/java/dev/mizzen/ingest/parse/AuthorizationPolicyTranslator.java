package dev.mizzen.ingest.parse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mizzen.ingest.model.AuthorizationPolicySpec;
import dev.mizzen.ingest.model.AuthorizationPolicySpec.Action;
import dev.mizzen.ingest.model.AuthorizationPolicySpec.Condition;
import dev.mizzen.ingest.model.AuthorizationPolicySpec.Operation;
import dev.mizzen.ingest.model.AuthorizationPolicySpec.Problem;
import dev.mizzen.ingest.model.AuthorizationPolicySpec.Rule;
import dev.mizzen.ingest.model.AuthorizationPolicySpec.Source;
import dev.mizzen.ingest.model.AuthorizationPolicySpec.Values;
import dev.mizzen.ingest.model.Meta;
import io.fabric8.istio.api.api.security.v1beta1.AuthorizationPolicy;
import io.fabric8.istio.api.api.security.v1beta1.AuthorizationPolicyAction;
import io.fabric8.istio.api.api.security.v1beta1.RuleFrom;
import io.fabric8.istio.api.api.security.v1beta1.RuleTo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Istio AuthorizationPolicy into {@link AuthorizationPolicySpec}. The object is refused only when
 * it is meaningless as a whole; each rule is read on its own and a bad value, condition or rule is
 * kept with its problem, so that the policy fails closed instead of disappearing (see the spec).
 */
final class AuthorizationPolicyTranslator implements SpecTranslator<AuthorizationPolicySpec> {
  private static final Set<String> FIELDS =
      Set.of("selector", "action", "rules", "provider", "targetRef", "targetRefs");

  @Override
  public AuthorizationPolicySpec translate(JsonNode object, Meta meta) throws FieldException {
    JsonNode specNode = object.get("spec");
    if (specNode == null || specNode.isNull()) {
      // Istio's "allow nothing": an empty spec is an ALLOW policy without rules.
      return new AuthorizationPolicySpec(Map.of(), Action.ALLOW, List.of());
    }
    if (!specNode.isObject()) {
      throw new FieldException("spec", "wrong type: expected object");
    }
    // istio-model reads the top level through a lenient unwrapping deserializer; check names here.
    for (String name : (Iterable<String>) specNode::fieldNames) {
      if (!FIELDS.contains(name)) {
        throw new FieldException("spec." + name, "unknown field");
      }
    }
    ObjectNode top = ((ObjectNode) specNode).deepCopy();
    JsonNode rulesNode = top.remove("rules");
    AuthorizationPolicy spec = Mappers.read(Mappers.STRICT, top, AuthorizationPolicy.class, "spec");
    // istio-model ignores targetRef when reading, so look for it as written.
    Unsupported.refuse(top.get("targetRef"), "spec.targetRef");
    Unsupported.refuseNonEmpty(spec.getTargetRefs(), "spec.targetRefs");
    Action action =
        action(spec, top.path("provider").isNull() || top.path("provider").isMissingNode());
    Map<String, String> selector =
        spec.getSelector() == null
            ? Map.of()
            : Selectors.selector(spec.getSelector().getMatchLabels(), "spec.selector.matchLabels");
    List<Rule> rules = new ArrayList<>();
    if (rulesNode != null && !rulesNode.isNull()) {
      if (!rulesNode.isArray()) {
        throw new FieldException("spec.rules", "wrong type: expected list");
      }
      for (int i = 0; i < rulesNode.size(); i++) {
        rules.add(rule(rulesNode.get(i), "spec.rules[" + i + "]", meta.namespace()));
      }
    }
    if (action == Action.DENY && rules.isEmpty()) {
      throw new FieldException(
          "spec.rules",
          "a DENY policy needs at least one rule (without rules it would never match); to deny"
              + " everything, write rules: [{}]");
    }
    return new AuthorizationPolicySpec(selector, action, rules);
  }

  /**
   * @param noProvider whether {@code provider} is absent (or null)
   */
  private static Action action(AuthorizationPolicy spec, boolean noProvider) throws FieldException {
    AuthorizationPolicyAction written = spec.getAction();
    if (written == AuthorizationPolicyAction.CUSTOM) {
      throw new FieldException(
          "spec.action",
          "CUSTOM is not supported: it delegates to an extension provider, and this version of"
              + " Mizzen has none");
    }
    if (!noProvider) {
      throw new FieldException(
          "spec.provider", "only meaningful with action CUSTOM, which is not supported");
    }
    if (written == null || written == AuthorizationPolicyAction.ALLOW) {
      return Action.ALLOW;
    }
    return written == AuthorizationPolicyAction.DENY ? Action.DENY : Action.AUDIT;
  }

  private static Rule rule(JsonNode node, String field, String namespace) throws FieldException {
    io.fabric8.istio.api.api.security.v1beta1.Rule written;
    try {
      if (node == null || !node.isObject()) {
        throw new FieldException(field, "wrong type: expected object");
      }
      written =
          Mappers.read(
              Mappers.STRICT, node, io.fabric8.istio.api.api.security.v1beta1.Rule.class, field);
    } catch (FieldException e) {
      return Rule.unreadable(new Problem(e.field(), "unreadable rule: " + e.reason()));
    }
    List<Source> from = new ArrayList<>();
    List<RuleFrom> froms = nonNull(written.getFrom());
    Problem empty = emptyParts(node, written, field);
    if (empty != null) {
      return Rule.unreadable(empty);
    }
    Problem mixed = mixedIdentities(froms, field);
    if (mixed != null) {
      return Rule.unreadable(mixed);
    }
    for (int i = 0; i < froms.size(); i++) {
      from.add(source(froms.get(i), field + ".from[" + i + "].source"));
    }
    List<Operation> to = new ArrayList<>();
    List<RuleTo> tos = nonNull(written.getTo());
    for (int i = 0; i < tos.size(); i++) {
      to.add(operation(tos.get(i), field + ".to[" + i + "].operation"));
    }
    List<Condition> when = new ArrayList<>();
    var conditions = nonNull(written.getWhen());
    for (int i = 0; i < conditions.size(); i++) {
      var c = conditions.get(i);
      String f = field + ".when[" + i + "]";
      if (c == null) {
        throw new FieldException(f, "wrong type: expected object, not null");
      }
      when.add(ConditionKeys.condition(c.getKey(), c.getValues(), c.getNotValues(), f));
    }
    return new Rule(from, to, when, null);
  }

  /**
   * Istio refuses an empty {@code from} or {@code to}, and a source or operation that is missing or
   * names nothing: each would otherwise match everything, the opposite of what was likely meant.
   */
  private static Problem emptyParts(
      JsonNode node, io.fabric8.istio.api.api.security.v1beta1.Rule written, String field) {
    for (String list : List.of("from", "to")) {
      JsonNode n = node.get(list);
      if (n != null && n.isArray() && n.isEmpty()) {
        return new Problem(
            field + "." + list,
            "unreadable rule: empty list (leave "
                + list
                + " out to match any "
                + (list.equals("from") ? "source" : "operation")
                + ")");
      }
    }
    List<RuleFrom> froms = nonNull(written.getFrom());
    for (int i = 0; i < froms.size(); i++) {
      var s = froms.get(i).getSource();
      String f = field + ".from[" + i + "].source";
      if (s == null) {
        return new Problem(f, "unreadable rule: required");
      }
      int values =
          count(s.getPrincipals())
              + count(s.getNotPrincipals())
              + count(s.getRequestPrincipals())
              + count(s.getNotRequestPrincipals())
              + count(s.getNamespaces())
              + count(s.getNotNamespaces())
              + count(s.getServiceAccounts())
              + count(s.getNotServiceAccounts())
              + count(s.getIpBlocks())
              + count(s.getNotIpBlocks())
              + count(s.getRemoteIpBlocks())
              + count(s.getNotRemoteIpBlocks());
      if (values == 0) {
        return new Problem(
            f,
            "unreadable rule: empty source (name at least one principal, request principal, namespace, service account or IP block)");
      }
    }
    List<RuleTo> tos = nonNull(written.getTo());
    for (int i = 0; i < tos.size(); i++) {
      var o = tos.get(i).getOperation();
      String f = field + ".to[" + i + "].operation";
      if (o == null) {
        return new Problem(f, "unreadable rule: required");
      }
      int values =
          count(o.getHosts())
              + count(o.getNotHosts())
              + count(o.getPorts())
              + count(o.getNotPorts())
              + count(o.getMethods())
              + count(o.getNotMethods())
              + count(o.getPaths())
              + count(o.getNotPaths());
      if (values == 0) {
        return new Problem(
            f, "unreadable rule: empty operation (name at least one host, port, method or path)");
      }
    }
    return null;
  }

  /**
   * Istio (1.25 on) refuses a source naming service accounts together with principals or
   * namespaces: a service account already fixes both, and the AND of the two is rarely meant. Here
   * the rule becomes unreadable, so that the policy fails closed instead of disappearing.
   */
  private static Problem mixedIdentities(List<RuleFrom> froms, String field) {
    for (int i = 0; i < froms.size(); i++) {
      var s = froms.get(i) == null ? null : froms.get(i).getSource();
      if (s == null) {
        continue;
      }
      int accounts = count(s.getServiceAccounts()) + count(s.getNotServiceAccounts());
      int others =
          count(s.getPrincipals())
              + count(s.getNotPrincipals())
              + count(s.getNamespaces())
              + count(s.getNotNamespaces());
      if (accounts > 0 && others > 0) {
        String f =
            field
                + ".from["
                + i
                + "].source."
                + (count(s.getServiceAccounts()) > 0 ? "serviceAccounts" : "notServiceAccounts");
        return new Problem(
            f,
            "unreadable rule: serviceAccounts cannot be combined with principals or namespaces (or their not* forms) in one source");
      }
    }
    return null;
  }

  private static Source source(RuleFrom from, String f) {
    var s = from == null ? null : from.getSource();
    if (s == null) {
      return new Source(
          Values.none(), Values.none(), Values.none(), Values.none(), Values.none(), Values.none());
    }
    return new Source(
        AuthzValues.read(
            s.getPrincipals(),
            s.getNotPrincipals(),
            f + ".principals",
            f + ".notPrincipals",
            AuthzValues.PRINCIPAL),
        AuthzValues.read(
            s.getRequestPrincipals(),
            s.getNotRequestPrincipals(),
            f + ".requestPrincipals",
            f + ".notRequestPrincipals",
            AuthzValues.WILDCARD),
        AuthzValues.read(
            s.getNamespaces(),
            s.getNotNamespaces(),
            f + ".namespaces",
            f + ".notNamespaces",
            AuthzValues.NAMESPACE),
        AuthzValues.read(
            s.getServiceAccounts(),
            s.getNotServiceAccounts(),
            f + ".serviceAccounts",
            f + ".notServiceAccounts",
            AuthzValues.SERVICE_ACCOUNT),
        AuthzValues.read(
            s.getIpBlocks(),
            s.getNotIpBlocks(),
            f + ".ipBlocks",
            f + ".notIpBlocks",
            AuthzValues.CIDR),
        AuthzValues.read(
            s.getRemoteIpBlocks(),
            s.getNotRemoteIpBlocks(),
            f + ".remoteIpBlocks",
            f + ".notRemoteIpBlocks",
            AuthzValues.CIDR));
  }

  private static Operation operation(RuleTo to, String f) {
    var o = to == null ? null : to.getOperation();
    if (o == null) {
      return new Operation(Values.none(), Values.none(), Values.none(), Values.none());
    }
    return new Operation(
        AuthzValues.read(
            o.getHosts(), o.getNotHosts(), f + ".hosts", f + ".notHosts", AuthzValues.WILDCARD),
        AuthzValues.read(
            o.getPorts(), o.getNotPorts(), f + ".ports", f + ".notPorts", AuthzValues.PORT),
        AuthzValues.read(
            o.getMethods(),
            o.getNotMethods(),
            f + ".methods",
            f + ".notMethods",
            AuthzValues.WILDCARD),
        AuthzValues.read(
            o.getPaths(), o.getNotPaths(), f + ".paths", f + ".notPaths", AuthzValues.PATH));
  }

  private static int count(List<?> list) {
    return list == null ? 0 : list.size();
  }

  private static <T> List<T> nonNull(List<T> list) {
    return list == null ? List.of() : list;
  }
}
