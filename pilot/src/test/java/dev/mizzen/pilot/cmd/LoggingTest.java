package dev.mizzen.pilot.cmd;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LoggingTest {
  @Test
  void jsonFormatWritesOneObjectPerLine() throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    try {
      System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
      Logging.useJson();
      LoggerFactory.getLogger("dev.mizzen.xds").warn("proxy {} rejected cluster", "web-1.shop");
    } finally {
      System.setOut(original);
      context.reset();
      new ContextInitializer(context).autoConfig();
    }
    String[] lines = buffer.toString(StandardCharsets.UTF_8).strip().split("\n");
    assertThat(lines).hasSize(1);
    JsonNode event = new ObjectMapper().readTree(lines[0]);
    assertThat(event.get("level").asText()).isEqualTo("WARN");
    assertThat(event.get("loggerName").asText()).isEqualTo("dev.mizzen.xds");
    assertThat(event.get("formattedMessage").asText())
        .isEqualTo("proxy web-1.shop rejected cluster");
  }
}
