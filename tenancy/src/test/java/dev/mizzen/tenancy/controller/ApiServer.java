package dev.mizzen.tenancy.controller;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** fabric8's mock API server in CRUD mode, remembering the requests it saw. */
final class ApiServer implements AutoCloseable {
  static final ResourceDefinitionContext ROLLS =
      new ResourceDefinitionContext.Builder()
          .withGroup("maistra.io")
          .withVersion("v1")
          .withKind("ServiceMeshMemberRoll")
          .withPlural("servicemeshmemberrolls")
          .withNamespaced(true)
          .build();

  final List<String> requests = new CopyOnWriteArrayList<>();
  private final KubernetesMockServer server;
  final KubernetesClient client;

  ApiServer() {
    KubernetesCrudDispatcher dispatcher =
        new KubernetesCrudDispatcher(
            List.of(
                crd("ServiceMeshMemberRoll", "servicemeshmemberrolls"),
                crd("ServiceMeshMember", "servicemeshmembers"))) {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            requests.add(request.getMethod() + " " + request.getPath());
            return super.dispatch(request);
          }
        };
    Map<io.fabric8.mockwebserver.ServerRequest, java.util.Queue<io.fabric8.mockwebserver.ServerResponse>> responses = new HashMap<>();
    server = new KubernetesMockServer(new Context(), new MockWebServer(), responses, dispatcher, false);
    server.init();
    client = server.createClient();
  }

  private static CustomResourceDefinitionContext crd(String kind, String plural) {
    return new CustomResourceDefinitionContext.Builder()
        .withGroup("maistra.io")
        .withVersion("v1")
        .withKind(kind)
        .withPlural(plural)
        .withScope("Namespaced")
        .withStatusSubresource(true)
        .build();
  }

  GenericKubernetesResource create(String yaml) {
    GenericKubernetesResource r = client.getKubernetesSerialization().unmarshal(yaml, GenericKubernetesResource.class);
    return client.resource(r).create();
  }

  /** Sets the roll's status.configuredMembers, as the member controller would. */
  void configure(String namespace, String name, List<String> members) {
    GenericKubernetesResource roll = client.genericKubernetesResources(ROLLS).inNamespace(namespace).withName(name).get();
    roll.setAdditionalProperty("status", Map.of("configuredMembers", members));
    client.genericKubernetesResources(ROLLS).inNamespace(namespace).resource(roll).updateStatus();
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
