package dev.mizzen.pilot.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mizzen.ingest.model.Kind;
import dev.mizzen.ingest.model.ObjectRef;
import dev.mizzen.pilot.cache.TypeUrls;
import dev.mizzen.pilot.push.PushContext;
import dev.mizzen.pilot.push.Pushes;
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
    PushContext push = Pushes.of(MESH);

    assertThat(
            new Provenance(push, "shipping")
                .of(TypeUrls.CLUSTER, "outbound|8080|v2|cart.shop.svc.cluster.local", ""))
        .containsExactly(
            new ObjectRef(Kind.SERVICE, "shop", "cart"),
            new ObjectRef(Kind.DESTINATION_RULE, "shop", "cart-v1"),
            new ObjectRef(Kind.DESTINATION_RULE, "shop", "cart-v2"));
  }
}
