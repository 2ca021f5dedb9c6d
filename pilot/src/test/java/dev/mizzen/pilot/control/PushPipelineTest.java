package dev.mizzen.pilot.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mizzen.ingest.file.DirectorySource;
import dev.mizzen.ingest.model.Kind;
import dev.mizzen.ingest.store.ConfigStore;
import dev.mizzen.pilot.metrics.PilotMetrics;
import dev.mizzen.pilot.push.MeshSettings;
import dev.mizzen.tenancy.MemberRollResolver;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PushPipelineTest {

  @Test
  void servesTheExampleMeshMembersAndReportsItsRefusal() throws Exception {
    ConfigStore store = new ConfigStore();
    try (PushPipeline pipeline =
            new PushPipeline(
                store,
                new MemberRollResolver("istio-system", "default"),
                MeshSettings.defaults("istio-system"),
                Clock.systemUTC(),
                Duration.ofMillis(100),
                Duration.ofSeconds(10),
                new PilotMetrics());
        DirectorySource source = new DirectorySource(Path.of("../examples/mesh"), store)) {
      source.start();
      PushStatus status = pipeline.push();
      assertThat(status.membership().configured()).containsExactly("payments", "shop");
      assertThat(status.refused()).hasSize(1);
      assertThat(status.refused().get(0).object())
          .isEqualTo("VirtualService payments/billing-audit");
      assertThat(status.config().list(Kind.SERVICE))
          .extracting(c -> c.namespace() + "/" + c.name())
          .containsExactly(
              "istio-system/jaeger-collector", "payments/billing", "shop/catalog", "shop/frontend");
      assertThat(status.ignored()).isEqualTo(5);
      assertThat(status.warnings()).isEmpty();
      assertThat(status.push().tracing()).isPresent();
      assertThat(status.push().gateways())
          .extracting(g -> g.ref().qualifiedName())
          .containsExactly("shop/shop-gateway");
    }
  }
}
