package dev.mizzen.pilot.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mizzen.ingest.model.Kind;
import dev.mizzen.ingest.model.ObjectRef;
import dev.mizzen.ingest.parse.ManifestParser;
import dev.mizzen.ingest.store.ConfigSnapshot;
import dev.mizzen.ingest.store.ConfigStore;
import dev.mizzen.pilot.cache.TypeUrls;
import dev.mizzen.pilot.push.MeshSettings;
import dev.mizzen.pilot.push.PushContext;
import dev.mizzen.tenancy.MemberRollResolver;
import dev.mizzen.tenancy.Membership;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A refused resource is traced back to every object it was built from. */
class ProvenanceTest {
  private static final String MESH =
      """
      apiVersion: maistra.io/v1
      kind: ServiceMeshMemberRoll
      metadata: {name: default, namespace: istio-system}
      spec: {members: [shop, shipping]}
      ---
      {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}
      ---
      {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shipping"}}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: cart, namespace: shop}
      spec:
        clusterIP: 10.96.0.10
        ports: [{name: http, port: 8080}]
      ---
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: cart-v1, namespace: shop, creationTimestamp: "2024-01-01T00:00:00Z"}
      spec:
        host: cart
        subsets: [{name: v1, labels: {version: v1}}]
      ---
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: cart-v2, namespace: shop, creationTimestamp: "2024-02-01T00:00:00Z"}
      spec:
        host: cart
        subsets: [{name: v2, labels: {version: v2}}]
      """;

  @Test
  void aClusterOfMergedRulesIsTracedToEachOfThem() {
    ConfigStore store = new ConfigStore();
    store.replace("mesh.yaml", new ManifestParser().parse("mesh.yaml", MESH));
    ConfigSnapshot all = store.snapshot();
    Membership membership = new MemberRollResolver("istio-system", "default").resolve(all);
    PushContext push =
        PushContext.build(
            1,
            Instant.EPOCH,
            all.restrictTo(membership::isMember),
            MeshSettings.defaults("istio-system"));

    assertThat(
            new Provenance(push, "shipping")
                .of(TypeUrls.CLUSTER, "outbound|8080|v2|cart.shop.svc.cluster.local", ""))
        .containsExactly(
            new ObjectRef(Kind.SERVICE, "shop", "cart"),
            new ObjectRef(Kind.DESTINATION_RULE, "shop", "cart-v1"),
            new ObjectRef(Kind.DESTINATION_RULE, "shop", "cart-v2"));
  }
}
