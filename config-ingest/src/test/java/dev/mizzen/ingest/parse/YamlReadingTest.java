package dev.mizzen.ingest.parse;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.ConfigError;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * YAML is read as Kubernetes reads it: aliases and merge keys expanded within a bound, duplicate
 * keys refused, and documents bounded in size and checked for UTF-8 one by one.
 */
class YamlReadingTest {
  private final ManifestParser parser = new ManifestParser();

  private Config<?> accepted(String yaml) {
    List<ParseResult> results = parser.parse("mesh.yaml", yaml);
    assertThat(results).hasSize(1);
    assertThat(results.get(0).error()).isNull();
    return results.get(0).config();
  }

  private ConfigError refused(String yaml) {
    List<ParseResult> results = parser.parse("mesh.yaml", yaml);
    assertThat(results).hasSize(1);
    assertThat(results.get(0).isAccepted()).as("refused").isFalse();
    return results.get(0).error();
  }

  /** The same object, read from two texts. */
  private void assertSameObject(String aliased, String expanded) {
    Config<?> a = accepted(aliased);
    Config<?> b = accepted(expanded);
    assertThat(a.ref()).isEqualTo(b.ref());
    assertThat(a.meta()).isEqualTo(b.meta());
    assertThat(a.spec()).isEqualTo(b.spec());
    assertThat(a.source()).isEqualTo(b.source());
  }

  @Test
  void anAliasOfAScalarIsTheValueItsAnchorNames() {
    assertSameObject(
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: reviews, namespace: shop}
        spec:
          hosts: [&target reviews.shop.svc.cluster.local]
          http:
          - route:
            - destination: {host: *target, port: {number: &port 9080}}
              weight: 90
            - destination: {host: ratings, port: {number: *port}}
              weight: 10
        """,
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: reviews, namespace: shop}
        spec:
          hosts: [reviews.shop.svc.cluster.local]
          http:
          - route:
            - destination: {host: reviews.shop.svc.cluster.local, port: {number: 9080}}
              weight: 90
            - destination: {host: ratings, port: {number: 9080}}
              weight: 10
        """);
  }

  @Test
  void anAliasOfAMappingIsACopyOfIt() {
    assertSameObject(
        """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: reviews, namespace: shop}
        spec:
          host: reviews
          trafficPolicy: &tp
            connectionPool: {tcp: {maxConnections: 100}}
            outlierDetection: {consecutive5xxErrors: 7, interval: 5m}
          subsets:
          - name: v1
            labels: {version: v1}
            trafficPolicy: *tp
          - name: v2
            labels: {version: v2}
            trafficPolicy: *tp
        """,
        """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: reviews, namespace: shop}
        spec:
          host: reviews
          trafficPolicy:
            connectionPool: {tcp: {maxConnections: 100}}
            outlierDetection: {consecutive5xxErrors: 7, interval: 5m}
          subsets:
          - name: v1
            labels: {version: v1}
            trafficPolicy:
              connectionPool: {tcp: {maxConnections: 100}}
              outlierDetection: {consecutive5xxErrors: 7, interval: 5m}
          - name: v2
            labels: {version: v2}
            trafficPolicy:
              connectionPool: {tcp: {maxConnections: 100}}
              outlierDetection: {consecutive5xxErrors: 7, interval: 5m}
        """);
  }

  @Test
  void mergeKeysAddWhatTheMappingDoesNotSetItself() {
    assertSameObject(
        """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: reviews, namespace: shop}
        spec:
          host: reviews
          trafficPolicy: &base
            connectionPool: {tcp: {maxConnections: 100}}
            loadBalancer: {simple: ROUND_ROBIN}
          subsets:
          - name: v1
            labels: {version: v1}
            trafficPolicy:
              <<: *base
              loadBalancer: {simple: LEAST_REQUEST}
          - name: v2
            labels: {version: v2}
            trafficPolicy:
              <<: [{tls: {mode: ISTIO_MUTUAL}}, *base, {loadBalancer: {simple: RANDOM}}]
        """,
        """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: reviews, namespace: shop}
        spec:
          host: reviews
          trafficPolicy:
            connectionPool: {tcp: {maxConnections: 100}}
            loadBalancer: {simple: ROUND_ROBIN}
          subsets:
          - name: v1
            labels: {version: v1}
            trafficPolicy:
              connectionPool: {tcp: {maxConnections: 100}}
              loadBalancer: {simple: LEAST_REQUEST}
          - name: v2
            labels: {version: v2}
            trafficPolicy:
              tls: {mode: ISTIO_MUTUAL}
              connectionPool: {tcp: {maxConnections: 100}}
              loadBalancer: {simple: ROUND_ROBIN}
        """);
  }

  @Test
  void aQuotedMergeKeyIsAnOrdinaryKey() {
    ConfigError e =
        refused(
            """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: reviews, namespace: shop}
            spec:
              host: reviews
              trafficPolicy: {"<<": {tls: {mode: ISTIO_MUTUAL}}}
            """);
    assertThat(e.field()).isEqualTo("spec.trafficPolicy.<<");
    assertThat(e.reason()).isEqualTo("unknown field");
  }

  @Test
  void anAliasMustFollowItsAnchorAndLieOutsideIt() {
    ConfigError unknown =
        refused(
            """
            apiVersion: v1
            kind: Namespace
            metadata: {name: shop, labels: *labels}
            """);
    assertThat(unknown.origin()).isEqualTo("mesh.yaml:3");
    assertThat(unknown.field()).isEqualTo("metadata.labels");
    assertThat(unknown.reason())
        .isEqualTo("unknown alias *labels: no anchor &labels comes before it");
    ConfigError inside =
        refused(
            """
            apiVersion: v1
            kind: Namespace
            metadata: &m {name: shop, annotations: {self: *m}}
            """);
    assertThat(inside.field()).isEqualTo("metadata.annotations.self");
    assertThat(inside.reason()).isEqualTo("the alias *m is inside the node it names");
    ConfigError merge =
        refused(
            """
            apiVersion: v1
            kind: Namespace
            metadata: {name: shop, <<: [a, b]}
            """);
    assertThat(merge.field()).isEqualTo("metadata.<<[0]");
    assertThat(merge.reason())
        .isEqualTo("the merge key << takes a mapping, an alias of one, or a sequence of them");
  }

  @Test
  void billionLaughsIsRefusedQuicklyNamingTheBound() {
    StringBuilder yaml =
        new StringBuilder("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n");
    yaml.append("  annotations:\n    l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (int i = 1; i <= 9; i++) {
      String prev = "*l" + (i - 1);
      yaml.append("    l").append(i).append(": &l").append(i).append(" [");
      yaml.append(String.join(", ", Collections.nCopies(10, prev))).append("]\n");
    }
    yaml.append("---\napiVersion: v1\nkind: Namespace\nmetadata: {name: after}\n");
    long start = System.nanoTime();
    List<ParseResult> results = parser.parse("laughs.yaml", yaml.toString());
    long millis = (System.nanoTime() - start) / 1_000_000;

    assertThat(millis).as("refused quickly (took %d ms)", millis).isLessThan(2_000);
    assertThat(results).hasSize(2);
    ConfigError e = results.get(0).error();
    assertThat(e.message())
        .isEqualTo(
            "laughs.yaml:11: Namespace shop: metadata.annotations.l5[7]: over 1000000 YAML nodes"
                + " once aliases and merge keys are expanded; at most 1000000 are read in one"
                + " document");
    assertThat(results.get(1).config().name()).isEqualTo("after");
  }

  @Test
  void expansionsNestedTooDeepAreRefused() {
    // Each within the bound as written: 2 + 990 and 2 + 10 levels; but 2 + 10 + 990 expanded.
    ConfigError e =
        refused(
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  a: &a "
                + "[".repeat(990)
                + "]".repeat(990)
                + "\n  b: "
                + "[".repeat(10)
                + "*a"
                + "]".repeat(10)
                + "\n");
    assertThat(e.field()).isEqualTo("metadata.b" + "[0]".repeat(10));
    assertThat(e.reason()).isEqualTo("nested deeper than 1000 levels once aliases are expanded");
    assertThat(refused("a: " + "[".repeat(1001) + "]".repeat(1001)).reason())
        .isEqualTo("nested deeper than 1000 levels");
  }

  @Test
  void aDuplicateKeyRefusesItsDocumentNamingTheKeyAndItsLine() {
    List<ParseResult> results =
        parser.parse(
            "mesh.yaml",
            """
            apiVersion: v1
            kind: Namespace
            metadata: {name: shop}
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: reviews, namespace: shop}
            spec:
              hosts: [reviews]
              http:
              - route:
                - destination:
                    host: reviews
                    host: ratings
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: other}
            """);
    assertThat(results).hasSize(3);
    assertThat(results.get(0).config().name()).isEqualTo("shop");
    assertThat(results.get(1).error().message())
        .isEqualTo(
            "mesh.yaml:14: VirtualService shop/reviews:"
                + " spec.http[0].route[0].destination.host: duplicate key \"host\"");
    assertThat(results.get(2).config().name()).isEqualTo("other");
    // At the top too, and whatever the style.
    assertThat(refused("apiVersion: v1\nkind: Namespace\nkind: Namespace\n").message())
        .isEqualTo("mesh.yaml:3: Namespace: kind: duplicate key \"kind\"");
    assertThat(refused("{\"apiVersion\": \"v1\", \"apiVersion\": \"v2\"}").field())
        .isEqualTo("apiVersion");
  }

  @Test
  void keysAMergeAddsAreNotDuplicates() {
    Config<?> c =
        accepted(
            """
            apiVersion: v1
            kind: Namespace
            metadata:
              labels: &common {team: a, tier: web}
              annotations:
                <<: [*common, {team: b, owner: c}]
                team: d
              name: shop
            """);
    assertThat(c.meta().annotations())
        .containsExactlyInAnyOrderEntriesOf(Map.of("team", "d", "tier", "web", "owner", "c"));
  }

  @Test
  void aDocumentOverTheSizeLimitIsRefusedAndTheOthersKept() {
    String big =
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: big\n  annotations:\n    a: \""
            + "x".repeat(ManifestParser.MAX_DOCUMENT_BYTES)
            + "\"\n";
    List<ParseResult> results =
        parser.parse(
            "big.yaml",
            "apiVersion: v1\nkind: Namespace\nmetadata: {name: before}\n---\n"
                + big
                + "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: after}\n");
    assertThat(results).hasSize(3);
    assertThat(results.get(0).config().name()).isEqualTo("before");
    assertThat(results.get(1).error().message())
        .isEqualTo(
            "big.yaml:5: object: the document is "
                + big.length()
                + " bytes, over the limit of 2097152");
    assertThat(results.get(2).config().name()).isEqualTo("after");
  }

  @Test
  void aDocumentAtTheSizeLimitIsReadInAboutASecondAtWorst() {
    // One long token is what SnakeYAML scans slowest; this document is exactly at the limit, and
    // without a final line end, which the reader adds.
    String head =
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: big\n  annotations:\n    a: ";
    String yaml = head + "x".repeat(ManifestParser.MAX_DOCUMENT_BYTES - head.length());
    assertThat(yaml.getBytes(StandardCharsets.UTF_8)).hasSize(ManifestParser.MAX_DOCUMENT_BYTES);
    long start = System.nanoTime();
    Config<?> c = accepted(yaml);
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertThat(c.meta().annotations().get("a"))
        .hasSize(ManifestParser.MAX_DOCUMENT_BYTES - head.length());
    // About a second on a quiet machine; the bound leaves room for a busy one.
    assertThat(millis).as("took %d ms", millis).isLessThan(10_000);
  }

  @Test
  void bytesThatAreNotUtf8RefuseOnlyTheirDocument() {
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    file.writeBytes("apiVersion: v1\nkind: Namespace\nmetadata: {name: before}\n---\n".getBytes());
    file.writeBytes("apiVersion: v1\nkind: Namespace\nmetadata: {name: caf".getBytes());
    file.write(0xE9); // "é" in Latin-1
    file.writeBytes(
        "}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: after}\n".getBytes());
    List<ParseResult> results = parser.parse("latin1.yaml", file.toByteArray());
    assertThat(results).hasSize(3);
    assertThat(results.get(0).config().name()).isEqualTo("before");
    assertThat(results.get(1).error().message())
        .isEqualTo("latin1.yaml:7: object: not UTF-8 text: invalid byte 0xE9 in column 21");
    assertThat(results.get(2).config().name()).isEqualTo("after");
  }

  @Test
  void scalarsAreTypedAsJacksonTypesThem() throws Exception {
    String yaml =
        """
        ints: [1, -2, 0x1F, 0o17, 017, 1_000, 2147483648, 99999999999999999999, +3]
        floats: [1.5, -2.0e3, 1e3, 6.8523015e+5, 0.1]
        bools: [true, False, yes, no, on, off, y, n]
        nulls: [~, null, Null, "", '']
        strings: ["1", '2', !!str 3, "true", 2001-12-14, 12:30:45, 1.2.3, "0x1F"]
        binary: !!binary aGVsbG8=
        block: |
          two
          lines
        folded: >-
          one
          line
        empty:
        keys: {1: a, true: b, ~: c, 1.5: d}
        """;
    JsonNode jackson = new ObjectMapper(new YAMLFactory()).readTree(yaml);
    assertThat(YamlTreeReader.read(yaml)).isEqualTo(jackson);
  }
}
