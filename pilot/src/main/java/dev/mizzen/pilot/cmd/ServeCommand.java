package dev.mizzen.pilot.cmd;

import dev.mizzen.pilot.control.ControlPlane;
import dev.mizzen.pilot.push.MeshSettings;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mizzen serve}: run a control plane until stopped. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = "Serve xDS to the proxies of the member namespaces.")
final class ServeCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger("dev.mizzen");

  @Option(
      names = "--config-dir",
      paramLabel = "DIR",
      description =
          "Serve the manifests (*.yaml, *.yml) under DIR, following changes. Default: the bundled"
              + " example mesh, $MIZZEN_HOME/examples/mesh.")
  Path configDir;

  @Option(names = "--kube", description = "Read config from Kubernetes (in cluster, or KUBECONFIG).")
  boolean kube;

  @Option(
      names = "--control-plane-namespace",
      defaultValue = "istio-system",
      description = "The control plane's namespace, where its member roll lives. Default: ${DEFAULT-VALUE}.")
  String controlPlaneNamespace;

  @Option(
      names = "--member-roll-name",
      defaultValue = "default",
      description = "The ServiceMeshMemberRoll to follow. Default: ${DEFAULT-VALUE}.")
  String memberRollName;

  @Option(names = "--xds-port", defaultValue = "15010", description = "ADS over plain text. Default: ${DEFAULT-VALUE}.")
  int xdsPort;

  @Option(names = "--debug-port", defaultValue = "8080", description = "Debug endpoints and /ready. Default: ${DEFAULT-VALUE}.")
  int debugPort;

  @Option(
      names = "--monitoring-port",
      defaultValue = "15014",
      description = "Monitoring (debug endpoints, as istiod serves them here too). Default: ${DEFAULT-VALUE}.")
  int monitoringPort;

  @Option(names = "--bind-address", defaultValue = "0.0.0.0", description = "Address to listen on. Default: ${DEFAULT-VALUE}.")
  String bindAddress;

  @Option(names = "--domain", defaultValue = "cluster.local", description = "The cluster's DNS suffix. Default: ${DEFAULT-VALUE}.")
  String domain;

  @Option(
      names = "--debounce-after",
      defaultValue = "100ms",
      converter = DurationConverter.class,
      description = "Quiet time before a push (istiod's PILOT_DEBOUNCE_AFTER). Default: ${DEFAULT-VALUE}.")
  Duration debounceAfter;

  @Option(
      names = "--debounce-max",
      defaultValue = "10s",
      converter = DurationConverter.class,
      description = "Longest a change waits for a push (istiod's PILOT_DEBOUNCE_MAX). Default: ${DEFAULT-VALUE}.")
  Duration debounceMax;

  @Option(
      names = "--debug-token-file",
      paramLabel = "FILE",
      description =
          "Callers off loopback must send this file's content as a bearer token to read /debug;"
              + " without it, /debug is readable from loopback only.")
  Path debugTokenFile;

  @Option(
      names = "--tracing-collector",
      defaultValue = "jaeger-collector",
      paramLabel = "SERVICE",
      description =
          "The Jaeger collector Service in the control plane's namespace; proxies send Zipkin spans to its port"
              + " named jaeger-collector-zipkin, as Maistra's. \"none\" turns tracing off; so does a missing"
              + " Service. Default: ${DEFAULT-VALUE}.")
  String tracingCollector;

  @Option(
      names = "--trace-sampling",
      defaultValue = "100",
      paramLabel = "PERCENT",
      description = "The share of requests traced, 0 to 100 (Maistra's SMCP default: 100). Default: ${DEFAULT-VALUE}.")
  double traceSampling;

  @Option(
      names = "--log-format",
      defaultValue = "text",
      description = "text or json (one JSON object per line). Default: ${DEFAULT-VALUE}.")
  String logFormat;

  @Override
  public Integer call() throws Exception {
    switch (logFormat) {
      case "text" -> { }
      case "json" -> Logging.useJson();
      default -> {
        System.err.println("mizzen: --log-format must be text or json, not \"" + logFormat + "\"");
        return 2;
      }
    }
    if (kube) {
      System.err.println(
          "mizzen: --kube is not available in this build; serve a directory with --config-dir");
      return 2;
    }
    Path dir = displayable(configDir != null ? configDir : defaultConfigDir());
    if (!Files.isDirectory(dir)) {
      System.err.println("mizzen: config directory " + dir + " does not exist");
      return 2;
    }
    if (traceSampling < 0 || traceSampling > 100) {
      System.err.println("mizzen: --trace-sampling must be between 0 and 100, not " + traceSampling);
      return 2;
    }
    MeshSettings defaults = MeshSettings.defaults(controlPlaneNamespace);
    MeshSettings mesh =
        new MeshSettings(
            controlPlaneNamespace,
            controlPlaneNamespace,
            domain,
            defaults.connectTimeout(),
            defaults.allowAnyOutbound(),
            new MeshSettings.Tracing(
                tracingCollector.equals("none") ? "" : tracingCollector,
                MeshSettings.Tracing.MAISTRA.portName(),
                traceSampling));
    ControlPlane.Options options =
        new ControlPlane.Options(
            dir,
            memberRollName,
            mesh,
            new InetSocketAddress(bindAddress, xdsPort),
            new InetSocketAddress(bindAddress, debugPort),
            monitoringPort == debugPort ? null : new InetSocketAddress(bindAddress, monitoringPort),
            debounceAfter,
            debounceMax,
            debugTokenFile,
            Mizzen.Version.get());
    ControlPlane cp = ControlPlane.start(options);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log.info("stopping");
                  cp.close();
                  stopped.countDown();
                },
                "mizzen-shutdown"));
    log.info("{}", StartupReport.render(cp, Mizzen.Version.get(), bindAddress));
    stopped.await();
    return 0;
  }

  /** The path relative to the working directory when under it, so that messages stay short. */
  private static Path displayable(Path dir) {
    Path cwd = Path.of("").toAbsolutePath();
    Path abs = dir.toAbsolutePath().normalize();
    return abs.startsWith(cwd) && !abs.equals(cwd) ? cwd.relativize(abs) : abs;
  }

  private static Path defaultConfigDir() {
    String home = System.getenv("MIZZEN_HOME");
    Path base = home == null || home.isEmpty() ? Path.of(".") : Path.of(home);
    return base.resolve("examples").resolve("mesh").normalize();
  }
}
