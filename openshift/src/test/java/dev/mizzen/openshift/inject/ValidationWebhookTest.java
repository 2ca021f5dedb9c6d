package dev.mizzen.openshift.inject;

import static dev.mizzen.openshift.inject.ApiServerReviews.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mizzen.ingest.model.ConfigError;
import dev.mizzen.ingest.parse.ManifestParser;
import dev.mizzen.ingest.parse.ObjectTranslator;
import dev.mizzen.ingest.parse.ParseResult;
import dev.mizzen.openshift.validate.ConfigValidation;
import dev.mizzen.tenancy.Membership;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The validating webhook over HTTPS on loopback, driven with AdmissionReviews as the API server
 * sends them. Every refusal is compared with what ingest's translators say of the same manifest,
 * the words {@code mizzen validate} prints after the file's name.
 */
class ValidationWebhookTest {
  /** The members of control plane istio-system: its own namespace and the configured ones. */
  private static final Predicate<String> READ =
      Membership.of("istio-system", Set.of("a1", "a2"))::isMember;

  /** The sample of the README's "Validation webhook". */
  static final String BILLING_AUDIT =
      """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata:
        name: billing-audit
        namespace: a1
      spec:
        hosts:
        - billing-audit
        http:
        - match:
          - uri:
              regex: "/audit/(?!internal).*"
          route:
          - destination: {host: billing}
      """;

  static final String REVIEWS =
      """
      apiVersion: networking.istio.io/v1beta1
      kind: VirtualService
      metadata:
        name: reviews
        namespace: a1
      spec:
        hosts: [reviews]
        http:
        - route:
          - destination: {host: reviews, subset: v1}
            weight: 90
          - destination: {host: reviews, subset: v2}
            weight: 10
      """;

  @TempDir Path dir;
  private WebhookHarness webhook;

  private void start(Predicate<String> read) throws Exception {
    webhook = WebhookHarness.start(dir, false, new ConfigValidation(read));
  }

  @AfterEach
  void stop() {
    if (webhook != null) {
      webhook.close();
    }
  }

  private JsonNode validate(String review) throws Exception {
    HttpResponse<String> r = webhook.post("/validate", "application/json", review);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode answer = JSON.readTree(r.body());
    assertThat(answer.path("apiVersion").asText()).isEqualTo("admission.k8s.io/v1");
    assertThat(answer.path("kind").asText()).isEqualTo("AdmissionReview");
    JsonNode response = answer.path("response");
    assertThat(response.path("uid").asText())
        .isEqualTo(JSON.readTree(review).path("request").path("uid").asText());
    assertThat(response.has("warnings")).isFalse();
    assertThat(response.has("patch")).isFalse();
    return response;
  }

  private static void assertAllowed(JsonNode response) {
    assertThat(response.path("allowed").asBoolean()).as(response.toString()).isTrue();
    assertThat(response.has("status")).isFalse();
  }

  /** Asserts a refusal with {@code message}, as istiod's webhook refuses: 400 Bad Request. */
  private static void assertRefused(JsonNode response, String message) {
    assertThat(response.path("allowed").asBoolean()).isFalse();
    assertThat(response.path("status").path("code").asInt()).isEqualTo(400);
    assertThat(response.path("status").path("reason").asText()).isEqualTo("BadRequest");
    assertThat(response.path("status").path("message").asText()).isEqualTo(message);
  }

  /** What ingest says of the manifest, as {@code mizzen validate} reads it from a file. */
  private static ConfigError ingestError(String yaml) {
    List<ParseResult> results = new ManifestParser().parse("manifest.yaml", yaml);
    assertThat(results).hasSize(1);
    assertThat(results.get(0).isAccepted()).as("ingest refuses it").isFalse();
    return results.get(0).error();
  }

  /** Asserts the refusal says what {@code mizzen validate} prints, less the file's name. */
  private static void assertRefusedAsIngestRefuses(JsonNode response, String yaml) {
    ConfigError error = ingestError(yaml);
    assertRefused(response, error.detail());
    assertThat("error: " + error.message())
        .as("the line mizzen validate prints")
        .isEqualTo("error: manifest.yaml:1: " + response.path("status").path("message").asText());
  }

  @Test
  void whatIsAcceptedButIgnoredIsAllowedWithTheOwnersWarning() throws Exception {
    // The rule's owner (authorization, for Maistra's mesh-wide kinds) says what it ignores.
    webhook =
        WebhookHarness.start(
            dir,
            false,
            new ConfigValidation(
                READ,
                c ->
                    c.name().equals("default")
                        ? List.of()
                        : List.of(
                            new ConfigError(
                                c.origin(),
                                c.kind().name(),
                                c.namespace(),
                                c.name(),
                                "metadata",
                                "ignored: only the one named \"default\" is honoured"))));
    String review =
        ApiServerReviews.create(
            """
            apiVersion: rbac.maistra.io/v1
            kind: ServiceMeshRbacConfig
            metadata: {name: other, namespace: a1}
            spec: {mode: "ON"}
            """);
    HttpResponse<String> r = webhook.post("/validate", "application/json", review);
    JsonNode response = JSON.readTree(r.body()).path("response");
    assertThat(response.path("allowed").asBoolean()).as(r.body()).isTrue();
    assertThat(response.path("warnings"))
        .extracting(JsonNode::asText)
        .containsExactly(
            "ServiceMeshRbacConfig a1/other: metadata: ignored: only the one named \"default\" is"
                + " honoured");
  }

  @Test
  void aValidVirtualServiceIsAllowed() throws Exception {
    start(READ);
    assertAllowed(validate(ApiServerReviews.create(REVIEWS)));
  }

  @Test
  void anInvalidRegexIsRefusedWithTheWordsOfMizzenValidate() throws Exception {
    start(READ);
    JsonNode response = validate(ApiServerReviews.create(BILLING_AUDIT));
    assertRefusedAsIngestRefuses(response, BILLING_AUDIT);
    // As the README shows it.
    assertThat(response.path("status").path("message").asText())
        .isEqualTo(
            "VirtualService a1/billing-audit: spec.http[0].match[0].uri.regex: invalid RE2 regular"
                + " expression: error parsing regexp: invalid or unsupported Perl syntax: `(?!`");
  }

  @Test
  void aFieldOfTheWrongTypeIsRefusedWithTheWordsOfMizzenValidate() throws Exception {
    start(READ);
    String yaml = REVIEWS.replace("weight: 10", "weight: ten");
    assertRefusedAsIngestRefuses(validate(ApiServerReviews.create(yaml)), yaml);
    String unknown =
        REVIEWS.replace("hosts: [reviews]", "hosts: [reviews]\n  retry: {attempts: 3}");
    assertRefusedAsIngestRefuses(validate(ApiServerReviews.create(unknown)), unknown);
  }

  @Test
  void anUpdateIsJudgedOnTheNewObject() throws Exception {
    start(READ);
    String broken = REVIEWS.replace("weight: 10", "weight: ten");
    assertRefusedAsIngestRefuses(validate(ApiServerReviews.update(REVIEWS, broken)), broken);
    assertAllowed(validate(ApiServerReviews.update(broken, REVIEWS)));
  }

  @Test
  void anObjectThatNamesNoNamespaceIsJudgedInTheRequestsNamespace() throws Exception {
    start(READ);
    ObjectNode object = ApiServerReviews.stored(BILLING_AUDIT, 1);
    ((ObjectNode) object.path("metadata")).remove("namespace");
    ObjectNode review =
        (ObjectNode) JSON.readTree(ApiServerReviews.review("CREATE", object, null, ""));
    ((ObjectNode) review.path("request")).put("namespace", "a2");
    assertThat(validate(review.toString()).path("status").path("message").asText())
        .startsWith("VirtualService a2/billing-audit: spec.http[0].match[0].uri.regex: ");
    ((ObjectNode) review.path("request")).put("namespace", "b1");
    assertAllowed(validate(review.toString()));
  }

  @Test
  void everySecurityKindAndTheControlPlanesOwnNamespaceAreJudged() throws Exception {
    start(READ);
    String deny =
        """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: deny-all, namespace: a2}
        spec: {action: DENNY}
        """;
    assertRefusedAsIngestRefuses(validate(ApiServerReviews.create(deny)), deny);
    String rbac =
        """
        apiVersion: rbac.maistra.io/v1
        kind: ServiceMeshRbacConfig
        metadata: {name: default, namespace: istio-system}
        spec: {mode: ON_WITH_EXCLUSION}
        """;
    assertRefusedAsIngestRefuses(validate(ApiServerReviews.create(rbac)), rbac);
    String roll =
        """
        apiVersion: maistra.io/v1
        kind: ServiceMeshMemberRoll
        metadata: {name: default, namespace: istio-system}
        spec: {members: [a1, a1]}
        """;
    assertRefusedAsIngestRefuses(validate(ApiServerReviews.create(roll)), roll);
  }

  @Test
  void whatMaistraRefusesIsRefusedWithMaistrasReason() throws Exception {
    start(READ);
    String entry =
        """
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: vm-1, namespace: a1}
        spec: {address: 10.0.0.9, labels: {app: legacy}}
        """;
    JsonNode refused = validate(ApiServerReviews.create(entry));
    assertRefusedAsIngestRefuses(refused, entry);
    assertThat(refused.path("status").path("message").asText())
        .isEqualTo(
            "WorkloadEntry a1/vm-1: external workloads (virtual machines) are not supported");
    String group =
        """
        apiVersion: networking.istio.io/v1beta1
        kind: WorkloadGroup
        metadata: {name: vms, namespace: a2}
        spec: {template: {ports: {http: 8080}}}
        """;
    assertRefusedAsIngestRefuses(validate(ApiServerReviews.create(group)), group);
    String quic =
        """
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: h3, namespace: a1}
        spec:
          selector: {istio: ingressgateway}
          servers:
          - port: {number: 443, name: h3, protocol: HTTP3}
            hosts: [shop.example.com]
        """;
    JsonNode h3 = validate(ApiServerReviews.create(quic));
    assertRefusedAsIngestRefuses(h3, quic);
    assertThat(h3.path("status").path("message").asText())
        .contains("QUIC and HTTP/3 are not supported");
  }

  @Test
  void aNamespaceThatIsNotAMemberIsNeverJudged() throws Exception {
    start(READ);
    String elsewhere = BILLING_AUDIT.replace("namespace: a1", "namespace: b1");
    assertAllowed(validate(ApiServerReviews.create(elsewhere)));
    String vm =
        "apiVersion: networking.istio.io/v1\nkind: WorkloadEntry\nmetadata: {name: vm-1, namespace: b1}\nspec: {address: 10.0.0.9}\n";
    assertAllowed(validate(ApiServerReviews.create(vm)));
  }

  @Test
  void whatIsNotACreationOrUpdateOfAnObjectMizzenReadsIsAllowed() throws Exception {
    start(READ);
    ObjectNode broken = ApiServerReviews.stored(BILLING_AUDIT, 1);
    assertAllowed(validate(ApiServerReviews.review("DELETE", null, broken, "")));
    assertAllowed(validate(ApiServerReviews.review("UPDATE", broken, broken, "status")));
    String deployment =
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: a1}\nspec: {replicas: lots}\n";
    assertAllowed(validate(ApiServerReviews.create(deployment)));
    String service =
        "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: a1}\nspec: {ports: oops}\n";
    assertAllowed(validate(ApiServerReviews.create(service)));
    // Its finalizers removed, an object being deleted goes whatever it holds.
    ObjectNode deleting = broken.deepCopy();
    ((ObjectNode) deleting.path("metadata")).put("deletionTimestamp", "2024-05-02T11:00:00Z");
    assertAllowed(validate(ApiServerReviews.review("UPDATE", deleting, broken, "")));
  }

  @Test
  void malformedReviewsGet400WithWhy() throws Exception {
    start(READ);
    HttpResponse<String> notJson =
        webhook.post("/validate", "application/json", "{\"apiVersion\":");
    assertThat(notJson.statusCode()).isEqualTo(400);
    assertThat(notJson.body()).startsWith("malformed AdmissionReview: the body is not JSON: ");
    String valid = ApiServerReviews.create(REVIEWS);
    ObjectNode v1beta1 = (ObjectNode) JSON.readTree(valid);
    v1beta1.put("apiVersion", "admission.k8s.io/v1beta1");
    assertThat(malformed(v1beta1))
        .isEqualTo(
            "malformed AdmissionReview: apiVersion must be \"admission.k8s.io/v1\", not \"admission.k8s.io/v1beta1\"\n");
    ObjectNode noRequest = (ObjectNode) JSON.readTree(valid);
    noRequest.remove("request");
    assertThat(malformed(noRequest)).isEqualTo("malformed AdmissionReview: request is missing\n");
    ObjectNode noUid = (ObjectNode) JSON.readTree(valid);
    ((ObjectNode) noUid.path("request")).remove("uid");
    assertThat(malformed(noUid)).isEqualTo("malformed AdmissionReview: request.uid is missing\n");
    ObjectNode noObject = (ObjectNode) JSON.readTree(valid);
    ((ObjectNode) noObject.path("request")).remove("object");
    assertThat(malformed(noObject))
        .isEqualTo(
            "malformed AdmissionReview: request.object: the object is required to create it\n");
    ObjectNode noKind = (ObjectNode) JSON.readTree(valid);
    ((ObjectNode) noKind.path("request")).remove("kind");
    assertThat(malformed(noKind)).isEqualTo("malformed AdmissionReview: request.kind is missing\n");
    ObjectNode operation = (ObjectNode) JSON.readTree(valid);
    ((ObjectNode) operation.path("request")).put("operation", "PATCH");
    assertThat(malformed(operation))
        .isEqualTo(
            "malformed AdmissionReview: request.operation: \"PATCH\" is not one of [CREATE, UPDATE, DELETE, CONNECT]\n");
    assertAllowed(validate(valid));
  }

  private String malformed(JsonNode review) throws Exception {
    HttpResponse<String> r = webhook.post("/validate", "application/json", review.toString());
    assertThat(r.statusCode()).isEqualTo(400);
    return r.body();
  }

  @Test
  void aHugeObjectIsJudgedInTimeAndTheServerGoesOn() throws Exception {
    start(READ);
    // Nearly the whole body in one string: read, judged, refused by ingest's rule on its size.
    ObjectNode huge = ApiServerReviews.stored(REVIEWS, 1);
    ObjectNode route = (ObjectNode) huge.path("spec").path("http").get(0);
    route.remove("route");
    route
        .putObject("directResponse")
        .put("status", 200)
        .putObject("body")
        .put("string", "x".repeat(WebhookServer.MAX_BODY - 4096));
    String review = ApiServerReviews.review("CREATE", huge, null, "");
    assertThat(review.length()).isBetween(WebhookServer.MAX_BODY - 4096, WebhookServer.MAX_BODY);
    long started = System.nanoTime();
    JsonNode response = validate(review);
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    ParseResult expected = new ObjectTranslator().translate("manifest.yaml", huge);
    assertRefused(response, expected.error().detail());
    assertThat(expected.error().field()).isEqualTo("spec.http[0].directResponse.body");

    // Nearly the whole body in tiny tokens, whose tree would take far more memory: refused unread.
    ObjectNode hosts = ApiServerReviews.stored(REVIEWS, 1);
    var list = ((ObjectNode) hosts.path("spec")).putArray("hosts");
    while (list.size() * 4L < WebhookServer.MAX_BODY - 4096) {
      list.add("a");
    }
    started = System.nanoTime();
    HttpResponse<String> tokens =
        webhook.post(
            "/validate", "application/json", ApiServerReviews.review("CREATE", hosts, null, ""));
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    assertThat(tokens.statusCode()).isEqualTo(413);
    assertThat(tokens.body())
        .isEqualTo(
            "malformed AdmissionReview: larger than "
                + AdmissionReviews.MAX_TOKENS
                + " JSON tokens\n");

    HttpResponse<String> over =
        webhook.post("/validate", "application/json", " ".repeat(WebhookServer.MAX_BODY + 1));
    assertThat(over.statusCode()).isEqualTo(413);

    assertAllowed(validate(ApiServerReviews.create(REVIEWS)));
  }

  @Test
  void aFailureWhileJudgingRefusesWithTheReason() throws Exception {
    start(
        namespace -> {
          throw new IllegalStateException("no membership read yet");
        });
    assertRefused(
        validate(ApiServerReviews.create(REVIEWS)),
        "VirtualService a1/reviews: not validated: internal error: java.lang.IllegalStateException: no membership read yet");
  }

  @Test
  void onlyThePathsAskedForAreServed() throws Exception {
    start(READ);
    assertThat(webhook.get("/validate").statusCode()).isEqualTo(405);
    assertThat(webhook.post("/mutate", "application/json", "{}").statusCode()).isEqualTo(404);
    webhook.close();
    // Certificates of its own, so that nothing of the first server's meets the second's.
    webhook = WebhookHarness.start(Files.createDirectories(dir.resolve("plain")), false);
    HttpResponse<String> none =
        webhook.post("/validate", "application/json", ApiServerReviews.create(REVIEWS));
    assertThat(none.statusCode()).isEqualTo(404);
  }
}
