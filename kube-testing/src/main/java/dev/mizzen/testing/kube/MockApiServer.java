package dev.mizzen.testing.kube;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingList;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingList;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * fabric8's mock API server in CRUD mode, standing in for kube-apiserver in tests (no real one can
 * be installed here). It knows the Maistra kinds with their status subresource, remembers every
 * request it saw (to assert which scopes were read), and can be restarted on the same port with the
 * same objects.
 */
public final class MockApiServer implements AutoCloseable {
  public static final ResourceDefinitionContext ROLLS =
      maistra("ServiceMeshMemberRoll", "servicemeshmemberrolls");
  public static final ResourceDefinitionContext MEMBERS =
      maistra("ServiceMeshMember", "servicemeshmembers");

  /** OpenShift's Routes, served only by {@link #openShift()}. */
  public static final ResourceDefinitionContext ROUTES =
      new ResourceDefinitionContext.Builder()
          .withGroup("route.openshift.io")
          .withVersion("v1")
          .withKind("Route")
          .withPlural("routes")
          .withNamespaced(true)
          .build();

  /** Every request as "METHOD path?query", in order. */
  public final List<String> requests = new CopyOnWriteArrayList<>();

  private final List<Map.Entry<String, String>> agents = new CopyOnWriteArrayList<>();
  private static final String TOKEN_REVIEWS = "/apis/authentication.k8s.io/v1/tokenreviews";
  private static final String ACCESS_REVIEWS = "/apis/authorization.k8s.io/v1/subjectaccessreviews";
  private final Map<String, Token> tokens = new ConcurrentHashMap<>();
  private final KubernetesCrudDispatcher dispatcher;
  private final List<KubernetesClient> clients = new ArrayList<>();
  private KubernetesMockServer server;
  private final int port;
  private final KubernetesClient client;

  public MockApiServer() {
    this(List.of(crd(ROLLS), crd(MEMBERS)));
  }

  /**
   * A cluster that also serves OpenShift's {@code route.openshift.io/v1} Routes: discovery of that
   * group version lists them, as on OpenShift.
   */
  public static MockApiServer openShift() {
    return new MockApiServer(List.of(crd(ROLLS), crd(MEMBERS), crd(ROUTES)));
  }

  private MockApiServer(List<CustomResourceDefinitionContext> kinds) {
    dispatcher =
        new KubernetesCrudDispatcher(kinds) {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            String line = request.getMethod() + " " + request.getPath();
            requests.add(line);
            agents.add(Map.entry(String.valueOf(request.getHeader("User-Agent")), line));
            if ("POST".equals(request.getMethod()) && request.getPath().startsWith(TOKEN_REVIEWS)) {
              return tokenReview(request.getBody().readUtf8());
            }
            if ("POST".equals(request.getMethod())
                && request.getPath().startsWith(ACCESS_REVIEWS)) {
              return accessReview(request.getBody().readUtf8());
            }
            return super.dispatch(request);
          }
        };
    server = serve(0);
    port = server.getPort();
    // The test's own client writes objects of any kind through fabric8's typed handlers.
    client = server.createClient();
    clients.add(client);
  }

  private KubernetesMockServer serve(int onPort) {
    KubernetesMockServer s =
        new KubernetesMockServer(
            new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
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

  private static CustomResourceDefinitionContext crd(ResourceDefinitionContext kind) {
    return new CustomResourceDefinitionContext.Builder()
        .withGroup(kind.getGroup())
        .withVersion(kind.getVersion())
        .withKind(kind.getKind())
        .withPlural(kind.getPlural())
        .withScope("Namespaced")
        .withStatusSubresource(true)
        .build();
  }

  /**
   * A new service-account token of {@code namespace}/{@code serviceAccount} for {@code audiences},
   * which TokenReviews then answer as the API server does.
   */
  public String serviceAccountToken(String namespace, String serviceAccount, String... audiences) {
    String token =
        "eyJhbGciOiJSUzI1NiJ9."
            + UUID.randomUUID().toString().replace("-", "")
            + "."
            + UUID.randomUUID().toString().replace("-", "");
    tokens.put(token, new Token(namespace, serviceAccount, List.of(audiences)));
    return token;
  }

  private record Token(String namespace, String serviceAccount, List<String> audiences) {}

  /**
   * A TokenReview answered as the API server answers it: authenticated with the service account and
   * the audiences both sides share, or not authenticated with the API server's reason.
   */
  private MockResponse tokenReview(String body) {
    ObjectMapper json = new ObjectMapper();
    try {
      ObjectNode review = (ObjectNode) json.readTree(body);
      String token = review.path("spec").path("token").asText();
      List<String> wanted = new ArrayList<>();
      review.path("spec").path("audiences").forEach(a -> wanted.add(a.asText()));
      ObjectNode status = review.putObject("status");
      Token known = tokens.get(token);
      if (known == null) {
        status.put("authenticated", false);
        status.put("error", "[invalid bearer token, Token has been invalidated]");
      } else {
        List<String> shared = new ArrayList<>(known.audiences());
        shared.retainAll(wanted.isEmpty() ? known.audiences() : wanted);
        if (shared.isEmpty()) {
          status.put("authenticated", false);
          status.put(
              "error",
              "[invalid bearer token, token audiences "
                  + json.writeValueAsString(known.audiences())
                  + " is invalid for the target audiences "
                  + json.writeValueAsString(wanted)
                  + "]");
        } else {
          status.put("authenticated", true);
          ObjectNode user = status.putObject("user");
          user.put(
              "username",
              "system:serviceaccount:" + known.namespace() + ":" + known.serviceAccount());
          user.putArray("groups")
              .add("system:serviceaccounts")
              .add("system:serviceaccounts:" + known.namespace())
              .add("system:authenticated");
          ArrayNode audiences = status.putArray("audiences");
          shared.forEach(audiences::add);
        }
      }
      return new MockResponse().setResponseCode(201).setBody(json.writeValueAsString(review));
    } catch (IOException | ClassCastException e) {
      return new MockResponse().setResponseCode(400).setBody(String.valueOf(e.getMessage()));
    }
  }

  /**
   * A SubjectAccessReview answered as the API server's RBAC authorizer answers it, from the Roles,
   * ClusterRoles and their bindings stored here: allowed when a RoleBinding of the namespace or a
   * ClusterRoleBinding names the user (a service account's user name, or one of its groups) and its
   * role has a rule for the group, resource, verb and (when the rule names any) the name.
   */
  private MockResponse accessReview(String body) {
    ObjectMapper json = new ObjectMapper();
    try {
      ObjectNode review = (ObjectNode) json.readTree(body);
      var spec = review.path("spec");
      String user = spec.path("user").asText();
      List<String> groups = new ArrayList<>();
      spec.path("groups").forEach(g -> groups.add(g.asText()));
      var attributes = spec.path("resourceAttributes");
      String namespace = attributes.path("namespace").asText();
      Access asked =
          new Access(
              attributes.path("group").asText(),
              attributes.path("resource").asText(),
              attributes.path("verb").asText(),
              attributes.path("name").asText());
      String reason = null;
      if (!namespace.isEmpty()) {
        for (var binding :
            items(
                stored(
                    RBAC + "/namespaces/" + namespace + "/rolebindings", RoleBindingList.class))) {
          if (names(binding.getSubjects(), user, groups)
              && grants(binding.getRoleRef(), namespace, asked)) {
            reason = "allowed by RoleBinding \"" + binding.getMetadata().getName() + "\"";
          }
        }
      }
      for (var binding :
          items(stored(RBAC + "/clusterrolebindings", ClusterRoleBindingList.class))) {
        if (reason == null
            && names(binding.getSubjects(), user, groups)
            && grants(binding.getRoleRef(), "", asked)) {
          reason = "allowed by ClusterRoleBinding \"" + binding.getMetadata().getName() + "\"";
        }
      }
      ObjectNode status = review.putObject("status");
      status.put("allowed", reason != null);
      if (reason != null) {
        status.put("reason", "RBAC: " + reason);
      }
      return new MockResponse().setResponseCode(201).setBody(json.writeValueAsString(review));
    } catch (IOException | ClassCastException e) {
      return new MockResponse().setResponseCode(400).setBody(String.valueOf(e.getMessage()));
    }
  }

  private record Access(String group, String resource, String verb, String name) {}

  private static final String RBAC = "/apis/rbac.authorization.k8s.io/v1";

  /**
   * An object or list as stored, read from the store itself: the server answers one request at a
   * time, so a request may not wait on another.
   */
  private <T> T stored(String path, Class<T> type) {
    MockResponse r = dispatcher.handleGet(path);
    if (r.code() != 200 || r.getBody() == null) {
      return null;
    }
    return client.getKubernetesSerialization().unmarshal(r.getBody().readUtf8(), type);
  }

  private static <T extends HasMetadata> List<T> items(KubernetesResourceList<T> list) {
    return list == null || list.getItems() == null ? List.of() : list.getItems();
  }

  private static boolean names(List<Subject> subjects, String user, List<String> groups) {
    for (var s : subjects == null ? List.<Subject>of() : subjects) {
      boolean named =
          switch (String.valueOf(s.getKind())) {
            case "ServiceAccount" ->
                user.equals("system:serviceaccount:" + s.getNamespace() + ":" + s.getName());
            case "User" -> user.equals(s.getName());
            case "Group" -> groups.contains(s.getName());
            default -> false;
          };
      if (named) {
        return true;
      }
    }
    return false;
  }

  private boolean grants(RoleRef ref, String namespace, Access asked) {
    List<PolicyRule> rules;
    if ("Role".equals(ref.getKind()) && !namespace.isEmpty()) {
      var role = stored(RBAC + "/namespaces/" + namespace + "/roles/" + ref.getName(), Role.class);
      rules = role == null ? null : role.getRules();
    } else if ("ClusterRole".equals(ref.getKind())) {
      var role = stored(RBAC + "/clusterroles/" + ref.getName(), ClusterRole.class);
      rules = role == null ? null : role.getRules();
    } else {
      rules = null;
    }
    if (rules == null) {
      return false;
    }
    for (var rule : rules) {
      if (matches(rule.getApiGroups(), asked.group())
          && matches(rule.getResources(), asked.resource())
          && matches(rule.getVerbs(), asked.verb())
          && (rule.getResourceNames() == null
              || rule.getResourceNames().isEmpty()
              || rule.getResourceNames().contains(asked.name()))) {
        return true;
      }
    }
    return false;
  }

  private static boolean matches(List<String> allowed, String value) {
    return allowed != null && (allowed.contains("*") || allowed.contains(value));
  }

  /** A client the test shares; closed with the server. */
  public KubernetesClient client() {
    return client;
  }

  /** A client of its own, for a component under test; closed with the server. */
  public synchronized KubernetesClient newClient() {
    KubernetesClient c = server.createClient(MockApiServer::readingAsSent);
    clients.add(c);
    return c;
  }

  /** A client whose requests say {@code agent} in their User-Agent, see {@link #requestsFrom}. */
  public synchronized KubernetesClient newClient(String agent) {
    KubernetesClient c =
        server.createClient(
            b -> readingAsSent(b).editOrNewConfig().withUserAgent(agent).endConfig());
    clients.add(c);
    return c;
  }

  /**
   * Clients read objects as the server sent them, not through fabric8's typed models, as the
   * cluster source's client must (see its {@code serialization()}).
   */
  private static KubernetesClientBuilder readingAsSent(KubernetesClientBuilder b) {
    return b.withKubernetesSerialization(new KubernetesSerialization(new ObjectMapper(), false));
  }

  /** The requests sent by clients made with {@link #newClient(String)} for {@code agent}. */
  public List<String> requestsFrom(String agent) {
    return agents.stream().filter(e -> e.getKey().equals(agent)).map(Map.Entry::getValue).toList();
  }

  /** Every request as "AGENT: METHOD path?query", in the order the server saw them. */
  public List<String> requestsWithAgents() {
    return agents.stream().map(e -> e.getKey() + ": " + e.getValue()).toList();
  }

  /** GET requests, which list, watch or get. */
  public List<String> reads() {
    return requests.stream().filter(r -> r.startsWith("GET ")).toList();
  }

  /** Creates the object written as YAML (or JSON). */
  public GenericKubernetesResource create(String yaml) {
    return create(client, yaml);
  }

  static GenericKubernetesResource create(KubernetesClient through, String yaml) {
    GenericKubernetesResource r =
        through.getKubernetesSerialization().unmarshal(yaml, GenericKubernetesResource.class);
    return through.resource(r).create();
  }

  /** Sets a roll's {@code status.configuredMembers}, as a member controller would. */
  public void configure(String namespace, String rollName, List<String> members) {
    GenericKubernetesResource roll =
        client.genericKubernetesResources(ROLLS).inNamespace(namespace).withName(rollName).get();
    roll.setAdditionalProperty("status", Map.of("configuredMembers", members));
    client.genericKubernetesResources(ROLLS).inNamespace(namespace).resource(roll).updateStatus();
  }

  /** Replaces a roll's {@code spec.members}. */
  public void setMembers(String namespace, String rollName, List<String> members) {
    GenericKubernetesResource roll =
        client.genericKubernetesResources(ROLLS).inNamespace(namespace).withName(rollName).get();
    roll.setAdditionalProperty("spec", Map.of("members", members));
    client.genericKubernetesResources(ROLLS).inNamespace(namespace).resource(roll).update();
  }

  /**
   * Stops the server and lets {@code duringOutage} create objects through a stand-in on another
   * port (as others would change the cluster while this API server is away), then serves again on
   * the same port with everything.
   */
  public synchronized void restart(Consumer<Creator> duringOutage) {
    restart(Duration.ZERO, duringOutage);
  }

  /**
   * The same, the port closed for at least {@code down} (the changes are made at its start): the
   * control plane's watches and lists fail, and retry, for that long.
   */
  public synchronized void restart(Duration down, Consumer<Creator> duringOutage) {
    long back = System.nanoTime() + down.toNanos();
    server.destroy();
    KubernetesMockServer standIn = serve(0);
    try (KubernetesClient c = standIn.createClient()) {
      duringOutage.accept(yaml -> create(c, yaml));
    } finally {
      standIn.destroy();
    }
    try {
      long left = back - System.nanoTime();
      if (left > 0) {
        TimeUnit.NANOSECONDS.sleep(left);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    server = serve(port);
  }

  /** Creates objects from YAML. */
  @FunctionalInterface
  public interface Creator {
    GenericKubernetesResource create(String yaml);
  }

  /**
   * TCP connections established to this server from this machine, read from the kernel's table
   * (Linux), whatever protocol runs on them; -1 where that table cannot be read.
   */
  public int establishedConnections() {
    String portHex = String.format(":%04X", port);
    int count = 0;
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      try {
        for (String line : Files.readAllLines(Path.of(table))) {
          String[] f = line.trim().split("\\s+");
          // local_address rem_address st: a client socket has the server's port as its remote port.
          if (f.length > 3 && f[2].endsWith(portHex) && f[3].equals("01")) {
            count++;
          }
        }
      } catch (IOException e) {
        return -1;
      }
    }
    return count;
  }

  @Override
  public synchronized void close() {
    clients.forEach(KubernetesClient::close);
    server.destroy();
  }
}
