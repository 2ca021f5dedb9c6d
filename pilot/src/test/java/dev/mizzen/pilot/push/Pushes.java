package dev.mizzen.pilot.push;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mizzen.ingest.model.ConfigError;
import dev.mizzen.ingest.parse.ManifestParser;
import dev.mizzen.ingest.store.ConfigSnapshot;
import dev.mizzen.ingest.store.ConfigStore;
import dev.mizzen.tenancy.MemberRollResolver;
import dev.mizzen.tenancy.Membership;
import java.time.Instant;

/**
 * Push contexts built as a push builds them: the manifests parsed and translated, restricted to the
 * members of istio-system's roll, indexed with Istio's default mesh settings.
 */
public final class Pushes {
  private Pushes() {}

  /** The push of {@code yaml}, every object of which must be accepted. */
  public static PushContext of(String yaml) {
    PushContext push = accepting(yaml);
    assertThat(push.config().errors()).extracting(ConfigError::message).isEmpty();
    return push;
  }

  /** The push of {@code yaml}, whatever the parsers refused of it. */
  public static PushContext accepting(String yaml) {
    ConfigStore store = new ConfigStore();
    store.replace("mesh.yaml", new ManifestParser().parse("mesh.yaml", yaml));
    ConfigSnapshot all = store.snapshot();
    Membership membership = new MemberRollResolver("istio-system", "default").resolve(all);
    return PushContext.build(
        1,
        Instant.EPOCH,
        all.restrictTo(membership::isMember),
        MeshSettings.defaults("istio-system"));
  }
}
