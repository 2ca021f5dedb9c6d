package dev.mizzen.pilot.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** Every code Mizzen reports is documented where users look for it. */
class MessageTypeTest {
  @Test
  void everyCodeIsInTheReadmesTableAndIstiosHaveTheirPage() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    String analysis = readme.substring(readme.indexOf("## Analysis"));
    for (MessageType t : MessageType.all()) {
      assertThat(analysis).contains("| " + t.code() + " " + t.name() + " | " + levelOf(t) + " |");
      if (t.isIstios()) {
        assertThat(t.documentationUrl())
            .isEqualTo(
                "https://istio.io/latest/docs/reference/config/analysis/"
                    + t.code().toLowerCase(Locale.ROOT)
                    + "/");
      } else {
        assertThat(t.code()).startsWith("MZ");
        assertThat(t.documentationUrl()).isEmpty();
      }
    }
  }

  private static String levelOf(MessageType t) {
    return t.level().display();
  }
}
