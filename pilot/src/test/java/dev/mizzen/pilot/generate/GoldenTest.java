package dev.mizzen.pilot.generate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Message;
import dev.mizzen.ingest.model.ConfigError;
import dev.mizzen.ingest.parse.ManifestParser;
import dev.mizzen.ingest.store.ConfigSnapshot;
import dev.mizzen.ingest.store.ConfigStore;
import dev.mizzen.pilot.cache.ProxyResources;
import dev.mizzen.pilot.cache.TypeUrls;
import dev.mizzen.pilot.control.Verdict;
import dev.mizzen.pilot.debug.ConfigDumps;
import dev.mizzen.pilot.push.MeshSettings;
import dev.mizzen.pilot.push.PushContext;
import dev.mizzen.tenancy.MemberRollResolver;
import dev.mizzen.tenancy.Membership;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Translation golden files: each folder under {@code golden/} holds {@code input.yaml} and, under
 * {@code expected/}, the Envoy resources generated for each proxy its first line names ({@code #
 * proxies: envoy/sidecar/shop grpc/sidecar/shop/web-a}, the last part naming a Pod of the input
 * whose workload the proxy is) and the messages (refusals, warnings, and problems served fail
 * closed). Run with {@code -Dupdate-golden} to rewrite the expected files; review the diff.
 */
class GoldenTest {
  private static final Path ROOT = Path.of("src/test/resources/golden");
  private static final Pattern PROXIES = Pattern.compile("^# proxies:(.*)$", Pattern.MULTILINE);
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final boolean UPDATE =
      Boolean.parseBoolean(System.getProperty("update-golden", "false"));

  static Stream<String> cases() throws IOException {
    try (Stream<Path> dirs = Files.list(ROOT)) {
      return dirs
          .filter(Files::isDirectory)
          .map(p -> p.getFileName().toString())
          .sorted()
          .toList()
          .stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void matchesGolden(String name) throws Exception {
    Path dir = ROOT.resolve(name);
    String input = Files.readString(dir.resolve("input.yaml"));
    ConfigStore store = new ConfigStore();
    store.replace("input.yaml", new ManifestParser().parse("input.yaml", input));
    ConfigSnapshot all = store.snapshot();
    Membership membership = new MemberRollResolver("istio-system", "default").resolve(all);
    Verdict verdict =
        Verdict.of(all, membership, MeshSettings.defaults("istio-system"), 1, Instant.EPOCH);
    PushContext push = verdict.push();
    ConfigGenerator generator = new ConfigGenerator(push);

    List<String> messages = new ArrayList<>();
    for (ConfigError e : push.config().errors()) {
      messages.add("refused: " + e.message());
    }
    for (ConfigError e : verdict.warnings()) {
      messages.add("warning: " + e.message());
    }
    for (ConfigError e : push.authz().errors()) {
      messages.add("served fail closed: " + e.message());
    }
    check(dir.resolve("expected/messages.txt"), String.join("\n", messages) + "\n");

    Matcher m = PROXIES.matcher(input);
    assertThat(m.find()).as("input.yaml names its proxies on a '# proxies:' line").isTrue();
    for (String spec : m.group(1).trim().split("\\s+")) {
      GroupKey key = GroupKey.of(GoldenProxies.of(spec, push), push);
      ProxyResources resources = generator.generate(key);
      assertThat(ConsistencyCheck.problems(resources)).as("consistency of " + spec).isEmpty();
      assertThat(EnvoyRulesCheck.problems(resources))
          .as("Envoy's validation rules for " + spec)
          .isEmpty();
      if (spec.startsWith("grpc/")) {
        assertThat(GrpcJavaCheck.problems(resources))
            .as("what grpc-java's client would refuse of " + spec)
            .isEmpty();
      }
      check(dir.resolve("expected/" + spec.replace('/', '-') + ".json"), render(resources));
    }
  }

  private static String render(ProxyResources resources) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    for (String type : TypeUrls.PUSH_ORDER) {
      ArrayNode list = root.putArray(TypeUrls.shortName(type) + "s");
      for (Message message : resources.of(type).values()) {
        list.add(JSON.readTree(ConfigDumps.json(message)));
      }
    }
    if (!resources.listenerAliases().isEmpty()) {
      ObjectNode aliases = root.putObject("listener_aliases");
      resources.listenerAliases().entrySet().stream()
          .sorted(Map.Entry.comparingByKey())
          .forEach(e -> aliases.put(e.getKey(), e.getValue()));
    }
    return JSON.writeValueAsString(root) + "\n";
  }

  private static void check(Path expected, String actual) throws IOException {
    if (UPDATE) {
      Files.createDirectories(expected.getParent());
      Files.writeString(expected, actual);
      return;
    }
    assertThat(expected).as("golden file (create it with -Dupdate-golden)").exists();
    assertThat(actual).as(expected.toString()).isEqualTo(Files.readString(expected));
  }
}
