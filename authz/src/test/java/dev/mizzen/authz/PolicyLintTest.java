package dev.mizzen.authz;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The warning for a "from" and a "to" written as two rules (OR) where one rule (AND) was meant. */
class PolicyLintTest {

  @Test
  void warnsOnAFromAndAToWrittenAsTwoRules() {
    Authorization a =
        Mesh.of(
            """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: trap, namespace: shop}
            spec:
              rules:
              - from:
                - source: {namespaces: [front]}
              - to:
                - operation: {methods: [GET]}
            """);
    assertThat(a.warnings()).hasSize(1);
    assertThat(a.warnings().get(0).message())
        .isEqualTo(
            "mesh.yaml:1: AuthorizationPolicy shop/trap: spec.rules: rules[0] has only a \"from\" and rules[1] only"
                + " a \"to\": separate rules are ORed, so this ALLOW policy matches a request that satisfies either"
                + " one. To require both, write them in one rule (\"- from: ...\" with \"to: ...\" under it, no"
                + " second \"-\")");
  }

  @Test
  void staysQuietOnOneRuleWithBothAndOnRulesThatAreAlike() {
    Authorization a =
        Mesh.of(
            """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: meant, namespace: shop}
            spec:
              rules:
              - from:
                - source: {namespaces: [front]}
                to:
                - operation: {methods: [GET]}
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: two-sources, namespace: shop}
            spec:
              rules:
              - from: [{source: {namespaces: [front]}}]
              - from: [{source: {namespaces: [back]}}]
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: with-conditions, namespace: shop}
            spec:
              rules:
              - from: [{source: {namespaces: [front]}}]
              - to: [{operation: {methods: [GET]}}]
                when: [{key: source.ip, values: [10.0.0.0/8]}]
            """);
    assertThat(a.warnings()).isEmpty();
  }
}
