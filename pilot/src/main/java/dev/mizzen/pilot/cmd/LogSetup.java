package dev.mizzen.pilot.cmd;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.Map;

/**
 * Mizzen's logging, set up in code rather than from an XML file, whose parser is a tenth of a small
 * control plane's start: one line per event on standard output at the level of {@code
 * MIZZEN_LOG_LEVEL} (INFO when unset), with the libraries' chatter held to warnings. A file named
 * by {@code -Dlogback.configurationFile} replaces all of it. Found by logback as a service.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_NORMAL_PRIORITY)
public final class LogSetup extends ContextAwareBase implements Configurator {
  /** Libraries' loggers and their levels. */
  private static final Map<String, Level> LIBRARIES =
      Map.of(
          "io.grpc", Level.WARN,
          "io.netty", Level.WARN,
          "io.fabric8", Level.WARN,
          // Logs every failed list or watch with a stack trace; Mizzen's informers log one line
          // with the reason.
          "io.fabric8.kubernetes.client.informers", Level.ERROR,
          "io.envoyproxy.controlplane", Level.WARN,
          // Logs every refused stream as an error with a stack trace; Mizzen logs one line with
          // the reason.
          "io.envoyproxy.controlplane.server.DiscoveryServer", Level.OFF);

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty("logback.configurationFile") != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern("%d{HH:mm:ss.SSS} %-5level %logger{0} - %msg%n");
    encoder.start();
    ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
    appender.setContext(context);
    appender.setName("STDOUT");
    appender.setEncoder(encoder);
    appender.start();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(level(System.getenv("MIZZEN_LOG_LEVEL")));
    root.addAppender(appender);
    LIBRARIES.forEach((name, level) -> context.getLogger(name).setLevel(level));
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /** The root level named, INFO when none or an unknown one is. */
  static Level level(String name) {
    return name == null || name.isBlank() ? Level.INFO : Level.toLevel(name.trim(), Level.INFO);
  }
}
