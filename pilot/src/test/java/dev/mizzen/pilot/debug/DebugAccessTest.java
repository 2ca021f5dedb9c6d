package dev.mizzen.pilot.debug;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DebugAccessTest {
  private static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 40000);
  private static final InetSocketAddress LOOPBACK6 = new InetSocketAddress("::1", 40000);
  private static final InetSocketAddress REMOTE = new InetSocketAddress("10.1.2.3", 40000);

  @Test
  void loopbackAlwaysPassesAndOthersNeedTheToken(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("token");
    Files.writeString(file, "s3cret\n");
    DebugAccess access = DebugAccess.withTokenFile(file);
    assertThat(access.decide(LOOPBACK, null)).isEqualTo(DebugAccess.Decision.ALLOW);
    assertThat(access.decide(LOOPBACK6, null)).isEqualTo(DebugAccess.Decision.ALLOW);
    assertThat(access.decide(REMOTE, null)).isEqualTo(DebugAccess.Decision.UNAUTHENTICATED);
    assertThat(access.decide(REMOTE, "Bearer s3cret")).isEqualTo(DebugAccess.Decision.ALLOW);
    assertThat(access.decide(REMOTE, "bearer s3cret")).isEqualTo(DebugAccess.Decision.ALLOW);
    assertThat(access.decide(REMOTE, "Bearer wrong")).isEqualTo(DebugAccess.Decision.FORBIDDEN);
    assertThat(access.decide(REMOTE, "Basic czNjcmV0"))
        .isEqualTo(DebugAccess.Decision.UNAUTHENTICATED);
  }

  @Test
  void withoutATokenOnlyLoopbackPasses() {
    DebugAccess access = DebugAccess.loopbackOnly();
    assertThat(access.decide(LOOPBACK, null)).isEqualTo(DebugAccess.Decision.ALLOW);
    assertThat(access.decide(REMOTE, null)).isEqualTo(DebugAccess.Decision.UNAUTHENTICATED);
    assertThat(access.decide(REMOTE, "Bearer anything")).isEqualTo(DebugAccess.Decision.FORBIDDEN);
  }
}
