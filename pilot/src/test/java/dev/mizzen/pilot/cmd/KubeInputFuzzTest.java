package dev.mizzen.pilot.cmd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mizzen.ingest.kube.KubeSource;
import dev.mizzen.ingest.kube.WatchScope;
import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.ConfigError;
import dev.mizzen.ingest.model.Kind;
import dev.mizzen.ingest.model.MemberRollSpec;
import dev.mizzen.ingest.parse.ManifestParser;
import dev.mizzen.ingest.parse.ParseResult;
import dev.mizzen.ingest.store.ConfigSnapshot;
import dev.mizzen.ingest.store.ConfigStore;
import dev.mizzen.testing.kube.MockApiServer;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Mutated objects (500 a run, {@code -Dfuzz.kube.cases}) made by {@link ManifestMutator} from the
 * golden inputs, created in an API server and read by the cluster source. An object reaches the API
 * server as a client sends it: read from YAML as kubectl reads it (duplicate keys and alias bombs
 * refused, bytes that are not UTF-8 refused) and sent as JSON, within etcd's size limit and with
 * metadata the API server would keep as written; other mutations never get that far and are counted
 * as such. For every object sent: the source's verdict (accepted, refused with its field and
 * reason, or served fail closed) is the one {@code mizzen validate} gives the same JSON; it arrives
 * within 20 s and leaves when deleted (the watch never sticks); and an object left as it was stays
 * accepted throughout. The seed is printed; {@code -Dfuzz.seed} repeats a run.
 */
class KubeInputFuzzTest {
  private static final int CASES = Integer.getInteger("fuzz.kube.cases", 500);
  private static final long SEED = Long.getLong("fuzz.seed", System.nanoTime());
  private static final String NS = "fuzz";
  private static final int ETCD_LIMIT = 1_572_864;
  private static final Set<Kind<?>> NOT_SENT =
      Set.of(
          // The cluster source reads EndpointSlices; Endpoints only come from directories.
          Kind.ENDPOINTS,
          Kind.NAMESPACE,
          Kind.SERVICE_MESH_MEMBER_ROLL,
          Kind.SERVICE_MESH_POLICY,
          Kind.SERVICE_MESH_RBAC_CONFIG);
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void mutatedObjectsFromTheApiServerGetTheVerdictValidateGives() throws Exception {
    System.out.printf(
        "kube input fuzzing: seed %d (repeat with -Dfuzz.seed=%d), %d objects%n",
        SEED, SEED, CASES);
    List<String> documents = new ArrayList<>();
    for (InputFuzzTest.Golden g : InputFuzzTest.corpus()) {
      for (String d : g.documents()) {
        Matcher k = InputFuzzTest.KIND.matcher(d);
        if (k.find() && Kind.byName(k.group(1)).filter(this::sent).isPresent()) {
          documents.add(d);
        }
      }
    }
    assertThat(documents).hasSizeGreaterThan(50);

    Random random = new Random(SEED);
    ManifestMutator mutator = new ManifestMutator(random);
    Map<String, Integer> outcomes = new TreeMap<>();
    List<String> failures = new ArrayList<>();
    try (MockApiServer api = new MockApiServer()) {
      for (String ns : List.of("istio-system", NS)) {
        api.create("apiVersion: v1\nkind: Namespace\nmetadata: {name: " + ns + "}\n");
      }
      api.create(
          """
          apiVersion: maistra.io/v1
          kind: ServiceMeshMemberRoll
          metadata: {name: default, namespace: istio-system}
          spec: {members: [fuzz]}
          """);
      api.configure("istio-system", "default", List.of(NS));
      api.create(
          """
          apiVersion: networking.istio.io/v1
          kind: VirtualService
          metadata: {name: sentinel, namespace: fuzz}
          spec:
            hosts: [sentinel.fuzz.svc.cluster.local]
            http:
            - route: [{destination: {host: sentinel.fuzz.svc.cluster.local}}]
          """);
      ConfigStore store = new ConfigStore();
      // Reads what it writes as sent, as the source does, whatever fabric8's models would make of
      // it.
      KubernetesClient writer = api.newClient();
      try (KubeSource source =
          new KubeSource(
              api.newClient(),
              store,
              "istio-system",
              "default",
              WatchScope.NAMESPACES,
              Duration.ofSeconds(10),
              KubeInputFuzzTest::configured)) {
        source.start(Duration.ofSeconds(20));
        Supplier<Boolean> sentinel =
            () ->
                store
                    .snapshot()
                    .get(Kind.VIRTUAL_SERVICE, NS, "sentinel")
                    .filter(c -> !c.isStandIn())
                    .isPresent();
        assertThat(await(sentinel)).as("the sentinel is read").isTrue();

        for (int i = 0; i < CASES; i++) {
          String document = documents.get(random.nextInt(documents.size()));
          ManifestMutator.Mutation m = mutator.mutate(document);
          String what = "case " + i + " (" + m + ")";
          String outcome;
          try {
            outcome = judge(writer, store, "case-" + i, m.document());
          } catch (RuntimeException e) {
            outcome = "FAILED: " + e;
          }
          if (outcome.startsWith("FAILED")) {
            failures.add(what + ": " + outcome);
            outcome = "failed";
          } else if (!sentinel.get()) {
            failures.add(what + ": the object left as it was is no longer accepted");
          }
          outcomes.merge(outcome, 1, Integer::sum);
        }
      }
    }
    System.out.printf("kube input fuzzing: outcomes %s%n", outcomes);
    assertThat(failures).as("seed %d", SEED).isEmpty();
    assertThat(outcomes.getOrDefault("refused", 0)).isGreaterThan(CASES / 20);
    assertThat(outcomes.getOrDefault("accepted", 0)).isGreaterThan(CASES / 20);
  }

  private boolean sent(Kind<?> kind) {
    return kind.namespaced() && !NOT_SENT.contains(kind);
  }

  private static SortedSet<String> configured(MemberRollSpec roll) {
    return roll == null ? new TreeSet<>() : new TreeSet<>(roll.configuredMembers());
  }

  /** Sends one mutated document, if a client could; returns its outcome, or "FAILED: why". */
  private String judge(KubernetesClient client, ConfigStore store, String name, byte[] document)
      throws Exception {
    Optional<ObjectNode> object = asSent(client, name, document);
    if (object.isEmpty()) {
      return "not sendable";
    }
    String json = JSON.writeValueAsString(object.get());
    List<ParseResult> expected = new ManifestParser().parse("case.json", json);
    if (expected.size() != 1) {
      return "FAILED: validate read " + expected.size() + " objects from " + json;
    }
    Kind<?> kind = Kind.byName(object.get().path("kind").asText()).orElseThrow();
    GenericKubernetesResource resource =
        client.getKubernetesSerialization().unmarshal(json, GenericKubernetesResource.class);
    ResourceDefinitionContext context =
        new ResourceDefinitionContext.Builder()
            .withGroup(kind.group())
            .withVersion(kind.versions().get(0))
            .withPlural(kind.plural())
            .withKind(kind.name())
            .withNamespaced(true)
            .build();
    var objects = client.genericKubernetesResources(context).inNamespace(NS);
    objects.resource(resource).create();
    try {
      if (!await(() -> verdict(store.snapshot(), kind, name).isPresent())) {
        return "FAILED: no verdict from the cluster source within 20 s for " + json;
      }
      String got = verdict(store.snapshot(), kind, name).orElseThrow();
      String want = verdict(expected.get(0));
      if (!got.equals(want)) {
        return "FAILED: the cluster source says\n  "
            + got
            + "\nwhere validate says\n  "
            + want
            + "\nfor "
            + (json.length() > 2000 ? json.substring(0, 2000) + "..." : json);
      }
      return want.substring(0, want.indexOf(':'));
    } finally {
      objects.withName(name).delete();
      if (!await(() -> verdict(store.snapshot(), kind, name).isEmpty())) {
        return "FAILED: still in the store 20 s after it was deleted: " + name;
      }
    }
  }

  /**
   * The object a client would send for {@code document}: read as kubectl reads YAML, named {@code
   * name} in the fuzz namespace, without what the API server sets itself; empty when a client or
   * the API server would refuse it before Mizzen sees it.
   */
  private Optional<ObjectNode> asSent(KubernetesClient client, String name, byte[] document) {
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(document))
              .toString();
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setCodePointLimit(4 * 1024 * 1024);
    JsonNode tree;
    try {
      tree = JSON.valueToTree(new Yaml(options).load(text));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
    if (!(tree instanceof ObjectNode o) || !(o.get("metadata") instanceof ObjectNode meta)) {
      return Optional.empty();
    }
    Optional<Kind<?>> kind = Kind.byName(o.path("kind").asText());
    String apiVersion = o.path("apiVersion").asText();
    if (kind.isEmpty() || !sent(kind.get()) || !servedVersion(kind.get(), apiVersion)) {
      return Optional.empty();
    }
    // A real API server converts to the version the source watches, as the mock does not.
    Kind<?> k = kind.get();
    String watched = k.versions().get(0);
    o.put("apiVersion", k.group().isEmpty() ? watched : k.group() + "/" + watched);
    for (String owned :
        List.of("resourceVersion", "uid", "creationTimestamp", "generation", "managedFields")) {
      meta.remove(owned);
    }
    meta.put("name", name);
    meta.put("namespace", NS);
    try {
      // Metadata the API server would not keep as written (a label that is a map, say) is refused.
      GenericKubernetesResource r =
          client
              .getKubernetesSerialization()
              .unmarshal(JSON.writeValueAsString(o), GenericKubernetesResource.class);
      JsonNode back = client.getKubernetesSerialization().convertValue(r, JsonNode.class);
      if (!back.path("metadata").equals(meta)) {
        return Optional.empty();
      }
      if (JSON.writeValueAsBytes(o).length > ETCD_LIMIT) {
        return Optional.empty();
      }
    } catch (Exception e) {
      return Optional.empty();
    }
    return Optional.of(o);
  }

  private static boolean servedVersion(Kind<?> kind, String apiVersion) {
    for (String v : kind.versions()) {
      if (apiVersion.equals(kind.group().isEmpty() ? v : kind.group() + "/" + v)) {
        return true;
      }
    }
    return false;
  }

  /** What the store holds for the object, as "outcome: field: reason"; empty when nothing. */
  private static Optional<String> verdict(ConfigSnapshot snapshot, Kind<?> kind, String name) {
    Optional<? extends Config<?>> config = snapshot.get(kind, NS, name);
    if (config.isPresent()) {
      ConfigError why = config.get().failedClosed();
      return Optional.of(why == null ? "accepted: " : "fail closed: " + detail(why));
    }
    for (ConfigError e : snapshot.errors()) {
      if (e.kind().equals(kind.name()) && e.namespace().equals(NS) && e.name().equals(name)) {
        return Optional.of("refused: " + detail(e));
      }
    }
    return Optional.empty();
  }

  private static String verdict(ParseResult r) {
    if (r.isServedFailClosed()) {
      return "fail closed: " + detail(r.config().failedClosed());
    }
    return r.isAccepted() ? "accepted: " : "refused: " + detail(r.error());
  }

  private static String detail(ConfigError e) {
    return e.object() + ": " + e.field() + ": " + e.reason();
  }

  private static boolean await(Supplier<Boolean> condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.get()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(5);
    }
    return true;
  }
}
