package dev.mizzen.tests;

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
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * fabric8's mock API server in CRUD mode, standing in for kube-apiserver: it remembers the requests
 * it saw and the connections open to it, and can be restarted on the same port with the same
 * objects.
 */
final class ApiServer implements AutoCloseable {
  static final ResourceDefinitionContext ROLLS = maistra("ServiceMeshMemberRoll", "servicemeshmemberrolls");
  static final ResourceDefinitionContext MEMBERS = maistra("ServiceMeshMember", "servicemeshmembers");

  final List<String> requests = new CopyOnWriteArrayList<>();
  /** The same requests, each with the User-Agent that sent it. */
  final List<Map.Entry<String, String>> agents = new CopyOnWriteArrayList<>();
  private final KubernetesCrudDispatcher dispatcher;
  private final List<KubernetesClient> clients = new ArrayList<>();
  private KubernetesMockServer server;
  private int port;

  ApiServer() {
    dispatcher =
        new KubernetesCrudDispatcher(
            List.of(crd("ServiceMeshMemberRoll", "servicemeshmemberrolls"), crd("ServiceMeshMember", "servicemeshmembers"))) {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            requests.add(request.getMethod() + " " + request.getPath());
            agents.add(Map.entry(String.valueOf(request.getHeader("User-Agent")), request.getMethod() + " " + request.getPath()));
            return super.dispatch(request);
          }
        };
    server = serve(0);
    port = server.getPort();
  }

  private KubernetesMockServer serve(int onPort) {
    MockWebServer web = new MockWebServer();
    KubernetesMockServer s = new KubernetesMockServer(new Context(), web, new HashMap<>(), dispatcher, false);
    s.init(InetAddress.getLoopbackAddress(), onPort);
    return s;
  }

  private static ResourceDefinitionContext maistra(String kind, String plural) {
    return new ResourceDefinitionContext.Builder()
        .withGroup("maistra.io")
        .withVersion("v1")
        .withKind(kind)
        .withPlural(plural)
        .withNamespaced(true)
        .build();
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

  /** A new client of this server; closed with it. */
  synchronized KubernetesClient client() {
    KubernetesClient c = server.createClient();
    clients.add(c);
    return c;
  }

  /** A new client that says {@code agent} in its User-Agent; closed with the server. */
  synchronized KubernetesClient client(String agent) {
    KubernetesClient c = server.createClient(b -> b.editOrNewConfig().withUserAgent(agent).endConfig());
    clients.add(c);
    return c;
  }

  /** The requests sent by clients made with {@link #client(String)} for {@code agent}. */
  List<String> requestsFrom(String agent) {
    return agents.stream().filter(e -> e.getKey().equals(agent)).map(Map.Entry::getValue).toList();
  }

  GenericKubernetesResource create(String yaml) {
    KubernetesClient c = client();
    try {
      GenericKubernetesResource r = c.getKubernetesSerialization().unmarshal(yaml, GenericKubernetesResource.class);
      return c.resource(r).create();
    } finally {
      c.close();
    }
  }

  /**
   * Stops the server, lets {@code duringOutage} change objects through a stand-in on another port
   * (as others would change etcd while this API server is away), then serves again on the same
   * port.
   */
  synchronized void restart(java.util.function.Consumer<KubernetesClient> duringOutage) {
    server.destroy();
    KubernetesMockServer standIn = serve(0);
    try (KubernetesClient c = standIn.createClient()) {
      duringOutage.accept(c);
    } finally {
      standIn.destroy();
    }
    server = serve(port);
  }

  /** GET requests that read (list or watch) resources, for scope assertions. */
  List<String> reads() {
    return requests.stream().filter(r -> r.startsWith("GET ")).toList();
  }

  @Override
  public synchronized void close() {
    clients.forEach(KubernetesClient::close);
    server.destroy();
  }

  /**
   * TCP connections established to this server from this machine, read from the kernel's table
   * (Linux), whatever protocol runs on them; -1 where that table cannot be read.
   */
  int establishedConnections() {
    String portHex = String.format(":%04X", port);
    int count = 0;
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      try {
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of(table))) {
          String[] f = line.trim().split("\\s+");
          // local_address rem_address st: a client socket has the server's port as its remote port.
          if (f.length > 3 && f[2].endsWith(portHex) && f[3].equals("01")) {
            count++;
          }
        }
      } catch (java.io.IOException e) {
        return -1;
      }
    }
    return count;
  }
}
