package dev.mizzen.pilot.control;

import dev.mizzen.ingest.file.DirectorySource;
import dev.mizzen.ingest.store.ConfigStore;
import dev.mizzen.pilot.debug.DebugAccess;
import dev.mizzen.pilot.debug.DebugServer;
import dev.mizzen.pilot.metrics.PilotMetrics;
import dev.mizzen.pilot.xds.XdsEvents;
import dev.mizzen.pilot.push.MeshSettings;
import dev.mizzen.pilot.xds.XdsServer;
import dev.mizzen.tenancy.MemberRollResolver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/** One running control plane: a config source, the push pipeline, the xDS and debug servers. */
public final class ControlPlane implements AutoCloseable {

  /**
   * How to run.
   *
   * @param configDir the directory of manifests to serve
   * @param memberRollName the name of the ServiceMeshMemberRoll to follow
   * @param mesh mesh-wide settings, with the control plane's namespace
   * @param xds where to serve ADS; port 0 picks one
   * @param debug where to serve the debug endpoints; port 0 picks one
   * @param monitoring a second address for the debug endpoints and /metrics (istiod's 15014), or
   *     null
   * @param debugTokenFile a file holding the bearer token that callers off loopback must send to
   *     read /debug, or null to allow loopback only
   * @param version Mizzen's version, for /version and /debug/syncz
   */
  public record Options(
      Path configDir,
      String memberRollName,
      MeshSettings mesh,
      InetSocketAddress xds,
      InetSocketAddress debug,
      InetSocketAddress monitoring,
      Duration debounceQuiet,
      Duration debounceMax,
      Path debugTokenFile,
      String version) {

    public Options {
      Objects.requireNonNull(configDir);
      Objects.requireNonNull(memberRollName);
      Objects.requireNonNull(mesh);
      Objects.requireNonNull(xds);
      Objects.requireNonNull(debug);
      Objects.requireNonNull(debounceQuiet);
      Objects.requireNonNull(debounceMax);
      Objects.requireNonNull(version);
    }

    /** Loopback, free ports and istiod's debounce: what tests use. */
    public static Options forTest(Path configDir, String controlPlaneNamespace) {
      InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
      return new Options(
          configDir,
          "default",
          MeshSettings.defaults(controlPlaneNamespace),
          any,
          any,
          null,
          Duration.ofMillis(100),
          Duration.ofSeconds(10),
          null,
          "test");
    }

    /** The same options with a token for the debug endpoints. */
    public Options withDebugTokenFile(Path file) {
      return new Options(
          configDir, memberRollName, mesh, xds, debug, monitoring, debounceQuiet, debounceMax, file, version);
    }

    /** The same options with the monitoring port served too. */
    public Options withMonitoring(InetSocketAddress address) {
      return new Options(
          configDir, memberRollName, mesh, xds, debug, address, debounceQuiet, debounceMax, debugTokenFile, version);
    }
  }

  private final Options options;
  private final DirectorySource source;
  private final PushPipeline pipeline;
  private final XdsServer xds;
  private final List<DebugServer> debug;
  private final PilotMetrics metrics;
  private volatile boolean ready;

  private ControlPlane(
      Options options,
      DirectorySource source,
      PushPipeline pipeline,
      XdsServer xds,
      List<DebugServer> debug,
      PilotMetrics metrics) {
    this.metrics = metrics;
    this.options = options;
    this.source = source;
    this.pipeline = pipeline;
    this.xds = xds;
    this.debug = debug;
  }

  /** Reads the config, pushes once, then starts serving; returns when ready. */
  public static ControlPlane start(Options o) throws IOException {
    ConfigStore store = new ConfigStore();
    MemberRollResolver resolver =
        new MemberRollResolver(o.mesh().controlPlaneNamespace(), o.memberRollName());
    PilotMetrics metrics = new PilotMetrics();
    PushPipeline pipeline =
        new PushPipeline(
            store, resolver, o.mesh(), Clock.systemUTC(), o.debounceQuiet(), o.debounceMax(), metrics);
    DirectorySource source = new DirectorySource(o.configDir(), store);
    List<DebugServer> debug = new ArrayList<>();
    XdsServer xds = null;
    try {
      source.start();
      pipeline.start();
      xds =
          XdsServer.start(
              o.xds(), pipeline.cache(), pipeline::admission, XdsEvents.both(new XdsLog(), XdsEvents.both(metrics, pipeline.rejections())));
      ControlPlane[] self = new ControlPlane[1];
      BooleanSupplier ready = () -> self[0] != null && self[0].ready;
      DebugAccess access = DebugAccess.of(Optional.ofNullable(o.debugTokenFile()));
      debug.add(DebugServer.start(o.debug(), pipeline, ready, access, metrics, false, o.version()));
      if (o.monitoring() != null) {
        debug.add(DebugServer.start(o.monitoring(), pipeline, ready, access, metrics, true, o.version()));
      }
      ControlPlane cp = new ControlPlane(o, source, pipeline, xds, List.copyOf(debug), metrics);
      self[0] = cp;
      cp.ready = true;
      return cp;
    } catch (IOException | RuntimeException e) {
      debug.forEach(DebugServer::close);
      if (xds != null) {
        xds.close();
      }
      pipeline.close();
      source.close();
      throw e;
    }
  }

  public Options options() {
    return options;
  }

  public PushPipeline pipeline() {
    return pipeline;
  }

  public DirectorySource source() {
    return source;
  }

  public PilotMetrics metrics() {
    return metrics;
  }

  public int xdsPort() {
    return xds.port();
  }

  public int debugPort() {
    return debug.get(0).port();
  }

  /** The monitoring port, or -1 when not served. */
  public int monitoringPort() {
    return debug.size() > 1 ? debug.get(1).port() : -1;
  }

  public boolean ready() {
    return ready;
  }

  @Override
  public void close() {
    ready = false;
    debug.forEach(DebugServer::close);
    xds.close();
    pipeline.close();
    source.close();
  }
}
