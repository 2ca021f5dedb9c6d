package dev.mizzen.pilot.analysis;

import static dev.mizzen.pilot.analysis.AnalysisMessage.quote;

import dev.mizzen.ingest.model.AuthorizationPolicySpec;
import dev.mizzen.ingest.model.AuthorizationPolicySpec.Rule;
import dev.mizzen.ingest.model.AuthorizationPolicySpec.Source;
import dev.mizzen.ingest.model.AuthorizationPolicySpec.Value;
import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.Kind;
import dev.mizzen.ingest.model.RbacConfigSpec;
import dev.mizzen.tenancy.Membership;
import java.util.List;

/**
 * What an authorization policy selects or names that is not in the mesh. As Istio's authorization
 * policy analyzer: a policy whose selector selects no pod of its namespace (of the mesh, in the
 * root namespace), or a policy for a whole namespace that has no pods (IST0127). Mizzen's own
 * MZ0001: a namespace named in {@code source.namespaces} or {@code source.notNamespaces} of an
 * AuthorizationPolicy, or in a ServiceMeshRbacConfig's inclusion or exclusion, that is not a member
 * of the mesh: no request comes from it and no workload of it is served, so it never matches. (It
 * stands for Istio's IST0101 on a namespace that does not exist, which is never a member either.)
 */
final class AuthorizationAnalyzer implements Analyzer {

  @Override
  public void analyze(AnalysisContext context, List<AnalysisMessage> out) {
    String root = context.push().mesh().rootNamespace();
    for (Config<AuthorizationPolicySpec> ap :
        context.push().config().list(Kind.AUTHORIZATION_POLICY)) {
      if (ap.isStandIn()) {
        // Refused and replaced; IST0106 says why.
        continue;
      }
      workloads(ap, root, context.workloads(), out);
      List<Rule> rules = ap.spec().rules();
      for (int i = 0; i < rules.size(); i++) {
        List<Source> from = rules.get(i).from();
        for (int j = 0; j < from.size(); j++) {
          String f = "spec.rules[" + i + "].from[" + j + "].source.";
          namespaces(ap, f + "namespaces", from.get(j).namespaces().in(), context, out);
          namespaces(ap, f + "notNamespaces", from.get(j).namespaces().notIn(), context, out);
        }
      }
    }
    for (Config<RbacConfigSpec> rc : context.push().config().list(Kind.SERVICE_MESH_RBAC_CONFIG)) {
      if (rc.isStandIn()) {
        continue;
      }
      names(rc, "spec.inclusion.namespaces", rc.spec().inclusion().namespaces(), context, out);
      names(rc, "spec.exclusion.namespaces", rc.spec().exclusion().namespaces(), context, out);
    }
  }

  private static void workloads(
      Config<AuthorizationPolicySpec> ap,
      String root,
      Workloads workloads,
      List<AnalysisMessage> out) {
    var selector = ap.spec().selector();
    if (ap.namespace().equals(root)) {
      if (!selector.isEmpty() && Workloads.selected(selector, workloads.all()).isEmpty()) {
        out.add(noWorkloads(ap, "spec.selector.matchLabels", Workloads.selectorString(selector)));
      }
      return;
    }
    if (selector.isEmpty()) {
      if (workloads.in(ap.namespace()).isEmpty()) {
        out.add(noWorkloads(ap, "", ""));
      }
      return;
    }
    if (Workloads.selected(selector, workloads.in(ap.namespace())).isEmpty()) {
      out.add(noWorkloads(ap, "spec.selector.matchLabels", Workloads.selectorString(selector)));
    }
  }

  private static AnalysisMessage noWorkloads(Config<?> c, String field, String labels) {
    return AnalysisMessage.on(
        c,
        field,
        MessageType.NO_MATCHING_WORKLOADS_FOUND,
        "No matching workloads for this resource with the following labels: " + labels);
  }

  private static void namespaces(
      Config<?> c,
      String field,
      List<Value> values,
      AnalysisContext context,
      List<AnalysisMessage> out) {
    names(c, field, values.stream().filter(Value::isValid).map(Value::text).toList(), context, out);
  }

  private static void names(
      Config<?> c,
      String field,
      List<String> namespaces,
      AnalysisContext context,
      List<AnalysisMessage> out) {
    Membership members = context.membership();
    for (int k = 0; k < namespaces.size(); k++) {
      String ns = namespaces.get(k);
      if (matchesMember(ns, members)) {
        continue;
      }
      boolean pattern = ns.startsWith("*") || ns.endsWith("*");
      out.add(
          AnalysisMessage.on(
              c,
              field + "[" + k + "]",
              MessageType.NAMESPACE_NOT_A_MEMBER,
              (pattern
                      ? "Namespace pattern " + quote(ns) + " matches no member"
                      : "Namespace " + quote(ns) + " is not a member")
                  + " of the mesh of control plane "
                  + quote(members.controlPlaneNamespace())
                  + ", so this never matches it."));
    }
  }

  /** Whether {@code written} (a name, "*", "prefix*" or "*suffix") matches a member namespace. */
  private static boolean matchesMember(String written, Membership members) {
    if (written.equals("*")) {
      return true;
    }
    for (String ns : members.namespaces()) {
      boolean match =
          written.startsWith("*")
              ? ns.endsWith(written.substring(1))
              : written.endsWith("*")
                  ? ns.startsWith(written.substring(0, written.length() - 1))
                  : ns.equals(written);
      if (match) {
        return true;
      }
    }
    return false;
  }
}
