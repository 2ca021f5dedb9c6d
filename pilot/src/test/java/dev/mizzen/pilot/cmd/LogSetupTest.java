package dev.mizzen.pilot.cmd;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LogSetupTest {
  @Test
  void logsMizzenAtInfoAndTheLibrariesAtWarningsToStandardOutput() {
    LoggerContext context = new LoggerContext();
    LogSetup setup = new LogSetup();
    setup.setContext(context);
    assertThat(setup.configure(context))
        .isEqualTo(Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    assertThat(root.getAppender("STDOUT")).isNotNull();
    assertThat(context.getLogger("dev.mizzen.pilot.control.PushPipeline").getEffectiveLevel())
        .isEqualTo(LogSetup.level(System.getenv("MIZZEN_LOG_LEVEL")));
    assertThat(context.getLogger("io.grpc.netty.Something").getEffectiveLevel())
        .isEqualTo(Level.WARN);
    assertThat(
            context
                .getLogger("io.envoyproxy.controlplane.server.DiscoveryServer")
                .getEffectiveLevel())
        .isEqualTo(Level.OFF);
    context.stop();
  }

  @Test
  void theLevelComesFromItsNameAndIsInfoOtherwise() {
    assertThat(LogSetup.level(null)).isEqualTo(Level.INFO);
    assertThat(LogSetup.level(" debug ")).isEqualTo(Level.DEBUG);
    assertThat(LogSetup.level("WARN")).isEqualTo(Level.WARN);
    assertThat(LogSetup.level("loud")).isEqualTo(Level.INFO);
  }

  @Test
  void isWhatLogbackUsesHere() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDOUT")).isNotNull();
    assertThat(context.getLogger("io.netty").getLevel()).isEqualTo(Level.WARN);
  }
}
