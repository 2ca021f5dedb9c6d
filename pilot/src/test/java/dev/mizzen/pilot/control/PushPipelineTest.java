package dev.mizzen.pilot.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mizzen.ingest.file.DirectorySource;
import dev.mizzen.ingest.model.Kind;
import dev.mizzen.ingest.model.ObjectRef;
import dev.mizzen.ingest.model.SecretRef;
import dev.mizzen.ingest.store.ConfigChange;
import dev.mizzen.ingest.store.ConfigStore;
import dev.mizzen.pilot.metrics.PilotMetrics;
import dev.mizzen.pilot.push.MeshSettings;
import dev.mizzen.tenancy.MemberRollResolver;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
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

  @Test
  void endpointsAloneWaitFiveQuietPeriodsAtMostAndAnythingElseTheMax() {
    Duration quiet = Duration.ofMillis(100);
    Duration max = Duration.ofSeconds(10);
    ObjectRef slice = new ObjectRef(Kind.ENDPOINT_SLICE, "shop", "web-x1");
    ObjectRef pod = new ObjectRef(Kind.POD, "shop", "web-0");
    ObjectRef vs = new ObjectRef(Kind.VIRTUAL_SERVICE, "shop", "web");
    assertThat(PushPipeline.maxWait(trigger(slice, pod), quiet, max))
        .isEqualTo(Duration.ofMillis(500));
    assertThat(PushPipeline.maxWait(trigger(slice, vs), quiet, max)).isEqualTo(max);
    assertThat(PushPipeline.maxWait(trigger(), quiet, max)).isEqualTo(max);
    assertThat(
            PushPipeline.maxWait(
                new PushPipeline.Trigger(
                    new ConfigChange(Set.of(slice), false), Set.of(new SecretRef("shop", "tls"))),
                quiet,
                max))
        .isEqualTo(max);
    assertThat(PushPipeline.maxWait(trigger(slice), quiet, Duration.ofMillis(200)))
        .isEqualTo(Duration.ofMillis(200));
  }

  private static PushPipeline.Trigger trigger(ObjectRef... refs) {
    return new PushPipeline.Trigger(new ConfigChange(Set.of(refs), false), Set.of());
  }
}
