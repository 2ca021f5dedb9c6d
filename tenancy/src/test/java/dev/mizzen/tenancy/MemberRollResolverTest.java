package dev.mizzen.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mizzen.ingest.parse.ManifestParser;
import dev.mizzen.ingest.store.ConfigStore;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MemberRollResolverTest {

  private static ConfigStore store(String yaml) {
    ConfigStore store = new ConfigStore();
    store.replace("mesh.yaml", new ManifestParser().parse("mesh.yaml", yaml));
    return store;
  }

  @Test
  void configuresExistingUnclaimedMembersAndExplainsTheRest() {
    ConfigStore store =
        store(
            """
            apiVersion: maistra.io/v1
            kind: ServiceMeshMemberRoll
            metadata: {name: default, namespace: istio-system}
            spec:
              members: [shop, bookinfo, missing, taken, istio-system]
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: shop}
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: bookinfo, labels: {maistra.io/member-of: istio-system}}
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: taken, labels: {maistra.io/member-of: mesh-b}}
            """);
    Membership m = new MemberRollResolver("istio-system", "default").resolve(store.snapshot());
    assertThat(m.configured()).containsExactly("bookinfo", "shop");
    assertThat(m.pending())
        .containsEntry("missing", "namespace missing does not exist")
        .containsEntry(
            "taken",
            "Cannot reconcile namespace taken in mesh istio-system/default, as it is already a member of mesh-b")
        .containsKey("istio-system");
    assertThat(m.isMember("istio-system")).isTrue();
    assertThat(m.isMember("taken")).isFalse();
    assertThat(m.namespaces()).containsExactly("bookinfo", "istio-system", "shop");
  }

  @Test
  void inAClusterTheConfiguredMembersOfTheStatusAreWatchedExceptMalformedNames() {
    ConfigStore store =
        store(
            """
            apiVersion: maistra.io/v1
            kind: ServiceMeshMemberRoll
            metadata: {name: default, namespace: istio-system}
            spec:
              members: [shop, bookinfo]
            status:
              configuredMembers: [shop, "../etc", istio-system]
            """);
    MemberRollResolver resolver = MemberRollResolver.fromStatus("istio-system", "default");
    Membership m = resolver.resolve(store.snapshot());
    assertThat(m.configured()).containsExactly("shop");
    assertThat(m.pending())
        .containsEntry(
            "../etc",
            "status.configuredMembers: \"../etc\" is not a namespace name (a lowercase RFC 1123 label of at most 63 characters)")
        .containsKey("bookinfo");
    assertThat(resolver.watched(resolver.roll(store.snapshot()).orElseThrow().spec()))
        .containsExactly("istio-system", "shop");
    assertThat(resolver.watched(null)).containsExactly("istio-system");
  }

  @Test
  void withoutARollOnlyTheControlPlaneNamespaceIsServed() {
    Membership m =
        new MemberRollResolver("istio-system", "default")
            .resolve(store("apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n").snapshot());
    assertThat(m.rollFound()).isFalse();
    assertThat(m.namespaces()).containsExactly("istio-system");
  }

  @Test
  void followsOnlyTheRollWithItsNameInItsNamespace() {
    ConfigStore store =
        store(
            """
            apiVersion: maistra.io/v1
            kind: ServiceMeshMemberRoll
            metadata: {name: default, namespace: elsewhere}
            spec: {members: [shop]}
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: shop}
            """);
    assertThat(
            new MemberRollResolver("istio-system", "default")
                .resolve(store.snapshot())
                .isMember("shop"))
        .isFalse();
    assertThat(
            new MemberRollResolver("elsewhere", "default")
                .resolve(store.snapshot())
                .isMember("shop"))
        .isTrue();
  }

  @Test
  void inAClusterTakesTheMembersTheControllerConfigured() {
    ConfigStore store =
        store(
            """
            apiVersion: maistra.io/v1
            kind: ServiceMeshMemberRoll
            metadata: {name: default, namespace: istio-system}
            spec: {members: [a1, a2, shared]}
            status: {configuredMembers: [a1, a2]}
            """);
    Membership m =
        MemberRollResolver.fromStatus("istio-system", "default").resolve(store.snapshot());
    assertThat(m.namespaces()).containsExactly("a1", "a2", "istio-system");
    assertThat(m.pending())
        .containsExactly(
            Map.entry(
                "shared",
                "not configured by the member controller yet (see the status of ServiceMeshMemberRoll istio-system/default)"));
  }
}
