package dev.mizzen.openshift.validate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mizzen.ingest.model.Kind;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What the webhook's judge does when judging cannot finish: it answers by its deadline, refusing
 * with the reason, and is never allowed by accident. (What it answers about objects is driven over
 * HTTPS with the API server's reviews, in the webhook's own tests.)
 */
class ConfigValidationTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static ValidationRequest create(String namespace) throws Exception {
    JsonNode object =
        JSON.readTree(
            "{\"apiVersion\":\"networking.istio.io/v1\",\"kind\":\"VirtualService\",\"metadata\":{\"name\":\"reviews\",\"namespace\":\""
                + namespace
                + "\"},\"spec\":{\"hosts\":[\"reviews\"],\"http\":[{\"route\":[{\"destination\":{\"host\":\"reviews\"}}]}]}}");
    return new ValidationRequest(
        "CREATE", "networking.istio.io", "v1", "VirtualService", "", namespace, object);
  }

  @Test
  void anObjectNotJudgedByTheDeadlineIsRefusedAtTheDeadline() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (ConfigValidation validation =
        new ConfigValidation(
            namespace -> {
              try {
                return release.await(30, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return true;
              }
            },
            c -> List.of(),
            Duration.ofMillis(300))) {
      long started = System.nanoTime();
      ValidationAnswer answer = validation.validate(create("a1"));
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      assertThat(answer)
          .isEqualTo(
              ValidationAnswer.refuse(
                  "VirtualService a1/reviews: not validated: judging it took longer than 300 ms"));
      assertThat(took).isBetween(Duration.ofMillis(300), Duration.ofSeconds(5));
      release.countDown();
      assertThat(validation.validate(create("a1"))).isEqualTo(ValidationAnswer.allow());
    }
  }

  @Test
  void aValidObjectIsAllowedAndTheKindsJudgedAreIstiosAndMaistras() throws Exception {
    try (ConfigValidation validation = new ConfigValidation("a1"::equals)) {
      assertThat(validation.validate(create("a1"))).isEqualTo(ValidationAnswer.allow());
    }
    assertThat(ConfigValidation.kinds())
        .extracting(Kind::group)
        .containsOnly(
            "networking.istio.io",
            "security.istio.io",
            "maistra.io",
            "authentication.maistra.io",
            "rbac.maistra.io");
    assertThat(ConfigValidation.kinds()).doesNotContain(Kind.SERVICE, Kind.POD);
  }
}
