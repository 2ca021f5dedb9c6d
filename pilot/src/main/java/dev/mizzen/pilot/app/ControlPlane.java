package dev.mizzen.pilot.app;

import dev.mizzen.authz.Authorization;
import dev.mizzen.ingest.file.DirectorySource;
import dev.mizzen.ingest.kube.KubeSource;
import dev.mizzen.ingest.kube.SecretWatches;
import dev.mizzen.ingest.kube.WatchScope;
import dev.mizzen.ingest.store.ConfigStore;
import dev.mizzen.openshift.inject.Injection;
import dev.mizzen.openshift.inject.WebhookServer;
import dev.mizzen.openshift.validate.ConfigValidation;
import dev.mizzen.pilot.control.PushPipeline;
import dev.mizzen.pilot.debug.DebugAccess;
import dev.mizzen.pilot.debug.DebugServer;
import dev.mizzen.pilot.metrics.PilotMetrics;
import dev.mizzen.pilot.push.MeshSettings;
import dev.mizzen.pilot.xds.XdsEvents;
import dev.mizzen.pilot.xds.XdsLimits;
import dev.mizzen.pilot.xds.XdsServer;
import dev.mizzen.tenancy.MemberRollResolver;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * One running control plane: a config source, the push pipeline, the xDS and debug servers, and the
 * sidecar injection webhook when asked for.
 */
public final class ControlPlane implements AutoCloseable {

  /**
   * How to run.
   *
   * @param configDir the directory of manifests to serve
   * @param memberRollName the name of the ServiceMeshMemberRoll to follow
   * @param mesh mesh-wide settings, with the control plane's namespace
   * @param xds where to serve ADS over plain text, or null not to; port 0 picks one
   * @param debug where to serve the debug endpoints; port 0 picks one
   * @param monitoring a second address for the debug endpoints and /metrics (istiod's 15014), or
   *     null
   * @param debugTokenFile a file holding the bearer token that callers off loopback must send to
   *     read /debug, or null to allow loopback only
   * @param version Mizzen's version, for /version and /debug/syncz
   * @param validateOutput check each new snapshot against Envoy's validation rules and hold back
   *     one that breaks them (tests turn it on)
   * @param xdsLimits what one client may ask of the xDS ports
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
      Duration configDirStable,
      Path debugTokenFile,
      String version,
      boolean validateOutput,
      XdsLimits xdsLimits) {

    public Options {
      Objects.requireNonNull(xdsLimits);
      // configDir is null when the config comes from Kubernetes.
      Objects.requireNonNull(memberRollName);
      Objects.requireNonNull(mesh);
      Objects.requireNonNull(debug);
      Objects.requireNonNull(debounceQuiet);
      Objects.requireNonNull(debounceMax);
      Objects.requireNonNull(configDirStable);
      Objects.requireNonNull(version);
    }

    /** Loopback, free ports, istiod's debounce, and Envoy's rules checked: what tests use. */
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
          DirectorySource.STABLE,
          null,
          "test",
          true,
          // Tests open many streams at once; the rate of new streams is tested on its own.
          XdsLimits.defaults().withNewStreamsPerSecond(0));
    }

    /** The same options with a token for the debug endpoints. */
    public Options withDebugTokenFile(Path file) {
      return new Options(
          configDir,
          memberRollName,
          mesh,
          xds,
          debug,
          monitoring,
          debounceQuiet,
          debounceMax,
          configDirStable,
          file,
          version,
          validateOutput,
          xdsLimits);
    }

    /** The same options with the monitoring port served too. */
    public Options withMonitoring(InetSocketAddress address) {
      return new Options(
          configDir,
          memberRollName,
          mesh,
          xds,
          debug,
          address,
          debounceQuiet,
          debounceMax,
          configDirStable,
          debugTokenFile,
          version,
          validateOutput,
          xdsLimits);
    }

    /** The same options with other limits on the xDS ports. */
    public Options withXdsLimits(XdsLimits limits) {
      return new Options(
          configDir,
          memberRollName,
          mesh,
          xds,
          debug,
          monitoring,
          debounceQuiet,
          debounceMax,
          configDirStable,
          debugTokenFile,
          version,
          validateOutput,
          limits);
    }
  }

  /**
   * Reading a cluster instead of a directory.
   *
   * @param client the client every informer shares
   * @param scope per member namespace, or cluster-wide filtered by member
   * @param syncTimeout how long the first read (and a new member's) may take
   */
  public record Kube(KubernetesClient client, WatchScope scope, Duration syncTimeout) {
    public Kube {
      Objects.requireNonNull(client);
      Objects.requireNonNull(scope);
      Objects.requireNonNull(syncTimeout);
    }
  }

  /**
   * The secure xDS port (istiod's 15012).
   *
   * @param address where to listen; port 0 picks one
   * @param tls the server's certificate and the CA of the proxies' certificates; null when the
   *     mesh's CA issues the server's certificate
   * @param ca the mesh's certificate authority, served on the port beside ADS; null for none (an
   *     external CA)
   */
  public record SecureXds(InetSocketAddress address, XdsServer.Tls tls, Ca ca) {
    public SecureXds {
      Objects.requireNonNull(address);
      if (tls == null && ca == null) {
        throw new IllegalArgumentException("the secure port needs certificate files or a CA");
      }
    }

    public SecureXds(InetSocketAddress address, XdsServer.Tls tls) {
      this(address, tls, null);
    }
  }

  /**
   * The mesh's certificate authority (istiod's Citadel).
   *
   * @param dir a plugged-in CA's files in Istio's layout ({@code ca-cert.pem}, {@code ca-key.pem},
   *     {@code cert-chain.pem}, {@code root-cert.pem}); null in a cluster to use the Secret {@code
   *     cacerts}, else {@code istio-ca-secret}, made with a new root when neither exists
   * @param trustDomain the trust domain of the identities issued
   * @param serverNames the DNS names of the secure port's own certificate
   */
  public record Ca(Path dir, String trustDomain, List<String> serverNames) {
    public Ca {
      Objects.requireNonNull(trustDomain);
      serverNames = List.copyOf(serverNames);
    }
  }

  /**
   * The admission webhooks (istiod's 15017): sidecar injection, validation, or both.
   *
   * @param address where to listen; port 0 picks one
   * @param certChain its serving certificate chain (PEM), read again when it changes
   * @param privateKey its key (PEM, PKCS#8 or PKCS#1 RSA)
   * @param injection how to inject, or null to serve no injection webhook
   * @param validation whether to serve the validating webhook
   */
  public record Webhook(
      InetSocketAddress address,
      Path certChain,
      Path privateKey,
      Injection injection,
      boolean validation) {
    public Webhook {
      Objects.requireNonNull(address);
      Objects.requireNonNull(certChain);
      Objects.requireNonNull(privateKey);
      if (injection == null && !validation) {
        throw new IllegalArgumentException("a webhook injects, validates or both");
      }
    }

    /** The injection webhook alone. */
    public Webhook(
        InetSocketAddress address, Path certChain, Path privateKey, Injection injection) {
      this(address, certChain, privateKey, Objects.requireNonNull(injection), false);
    }
  }

  private final Options options;
  private final DirectorySource source;
  private final KubeSource kubeSource;
  private final PushPipeline pipeline;
  private final XdsServer xds;
  private final XdsServer secureXds;
  private final List<DebugServer> debug;
  private final PilotMetrics metrics;
  private volatile WebhookServer webhook;
  private volatile ConfigEvents configEvents;
  private volatile MeshCa ca;
  private volatile SecretWatches secrets;
  private volatile boolean ready;

  private ControlPlane(
      Options options,
      DirectorySource source,
      KubeSource kubeSource,
      PushPipeline pipeline,
      XdsServer xds,
      XdsServer secureXds,
      List<DebugServer> debug,
      PilotMetrics metrics) {
    this.metrics = metrics;
    this.options = options;
    this.source = source;
    this.kubeSource = kubeSource;
    this.pipeline = pipeline;
    this.xds = xds;
    this.secureXds = secureXds;
    this.debug = debug;
  }

  /** Reads the config directory, pushes once, then starts serving; returns when ready. */
  public static ControlPlane start(Options o) throws IOException {
    return start(o, null, null);
  }

  /**
   * Reads the config (from Kubernetes when {@code kube} is given, else from the directory), pushes
   * once, then starts serving, on the secure port too when {@code secure} is given.
   */
  public static ControlPlane start(Options o, Kube kube, SecureXds secure) throws IOException {
    return start(o, kube, secure, null);
  }

  /**
   * As {@link #start(Options, Kube, SecureXds)}, and serves the admission webhooks when {@code
   * webhook} is given; they act on the members of the last push only.
   */
  public static ControlPlane start(Options o, Kube kube, SecureXds secure, Webhook webhook)
      throws IOException {
    ConfigStore store = new ConfigStore();
    String namespace = o.mesh().controlPlaneNamespace();
    MemberRollResolver resolver =
        kube == null
            ? new MemberRollResolver(namespace, o.memberRollName())
            : MemberRollResolver.fromStatus(namespace, o.memberRollName());
    PilotMetrics metrics = new PilotMetrics();
    PushPipeline pipeline =
        new PushPipeline(
            store,
            resolver,
            o.mesh(),
            Clock.systemUTC(),
            o.debounceQuiet(),
            o.debounceMax(),
            metrics,
            o.validateOutput());
    DirectorySource source =
        kube == null ? DirectorySource.of(o.configDir(), store, o.configDirStable()) : null;
    KubeSource kubeSource =
        kube == null
            ? null
            : new KubeSource(
                kube.client(),
                store,
                namespace,
                o.memberRollName(),
                kube.scope(),
                kube.syncTimeout(),
                resolver::watched);
    if (kubeSource != null) {
      kubeSource.countEvents(metrics::kubeEvent);
    }
    SecretWatches secrets =
        kube == null
            ? null
            : new SecretWatches(
                kube.client(),
                ns -> pipeline.status() != null && pipeline.status().membership().isMember(ns),
                pipeline::secretsChanged);
    if (secrets != null) {
      pipeline.serveSecrets(secrets::current, secrets::want);
      pipeline.streams().setSecretReaders(new SecretReaders(kube.client())::mayRead);
    }
    List<DebugServer> debug = new ArrayList<>();
    XdsServer xds = null;
    XdsServer secureXds = null;
    MeshCa ca = null;
    try {
      if (source != null) {
        source.start();
      } else {
        startKube(kubeSource, kube.syncTimeout());
      }
      pipeline.start();
      XdsEvents events =
          XdsEvents.both(new XdsLog(), XdsEvents.both(metrics, pipeline.rejections()));
      if (o.xds() != null) {
        xds =
            XdsServer.start(
                o.xds(), o.xdsLimits(), pipeline.streams(), pipeline::admission, events);
      }
      if (secure != null && secure.ca() != null) {
        ca =
            MeshCa.start(
                secure.ca(),
                kube == null ? null : kube.client(),
                namespace,
                ns -> pipeline.status().membership().isMember(ns),
                metrics.registry());
        secureXds =
            XdsServer.startSecure(
                secure.address(),
                ca.credentials(secure.tls()),
                List.of(ca.service()),
                ca.tokens(),
                o.xdsLimits(),
                pipeline.streams(),
                pipeline::admission,
                events);
      } else if (secure != null) {
        secureXds =
            XdsServer.startSecure(
                secure.address(),
                secure.tls(),
                o.xdsLimits(),
                pipeline.streams(),
                pipeline::admission,
                events);
      }
      ControlPlane[] self = new ControlPlane[1];
      BooleanSupplier ready = () -> self[0] != null && self[0].ready;
      DebugAccess access = DebugAccess.of(Optional.ofNullable(o.debugTokenFile()));
      MeshCa issuing = ca;
      Supplier<Map<String, Object>> caz = issuing == null ? null : issuing::caz;
      debug.add(
          DebugServer.start(o.debug(), pipeline, ready, access, metrics, false, o.version(), caz));
      if (o.monitoring() != null) {
        debug.add(
            DebugServer.start(
                o.monitoring(), pipeline, ready, access, metrics, true, o.version(), caz));
      }
      ControlPlane cp =
          new ControlPlane(
              o, source, kubeSource, pipeline, xds, secureXds, List.copyOf(debug), metrics);
      cp.secrets = secrets;
      if (kube != null) {
        ConfigEvents configEvents =
            new ConfigEvents(kube.client(), Identity.get(), Clock.systemUTC());
        pipeline.rejections().reportTo(configEvents::report);
        pipeline.afterPush(configEvents::report);
        if (pipeline.status() != null) {
          configEvents.report(pipeline.status());
        }
        cp.configEvents = configEvents;
      }
      if (webhook != null) {
        // Pods are injected in the configured members only; objects are judged wherever they are
        // read, the control plane's own namespace included.
        cp.webhook =
            WebhookServer.start(
                webhook.address(),
                webhook.certChain(),
                webhook.privateKey(),
                webhook.injection(),
                webhook.injection() == null
                    ? null
                    : ns -> pipeline.status().membership().configured().contains(ns),
                webhook.validation()
                    ? new ConfigValidation(
                        ns -> pipeline.status().membership().isMember(ns),
                        c ->
                            Authorization.notHonoured(c, namespace).map(List::of).orElse(List.of()))
                    : null);
      }
      cp.ca = ca;
      self[0] = cp;
      cp.ready = true;
      return cp;
    } catch (IOException | RuntimeException e) {
      debug.forEach(DebugServer::close);
      if (xds != null) {
        xds.close();
      }
      if (secureXds != null) {
        secureXds.close();
      }
      if (ca != null) {
        ca.close();
      }
      pipeline.close();
      if (secrets != null) {
        secrets.close();
      }
      if (source != null) {
        source.close();
      }
      if (kubeSource != null) {
        kubeSource.close();
      }
      throw e;
    }
  }

  private static void startKube(KubeSource source, Duration timeout) throws IOException {
    try {
      source.start(timeout);
    } catch (TimeoutException e) {
      String what =
          e.getMessage() != null
              ? e.getMessage()
              : "the member roll and its namespaces were not read within "
                  + timeout.toSeconds()
                  + "s";
      throw new IOException(what, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while reading the cluster", e);
    }
  }

  public Options options() {
    return options;
  }

  public PushPipeline pipeline() {
    return pipeline;
  }

  /** The directory source, or null when reading Kubernetes. */
  public DirectorySource source() {
    return source;
  }

  public PilotMetrics metrics() {
    return metrics;
  }

  /** The Kubernetes source, or null when reading a directory. */
  public KubeSource kubeSource() {
    return kubeSource;
  }

  /** The plain-text xDS port, or -1 when not served. */
  public int xdsPort() {
    return xds == null ? -1 : xds.port();
  }

  /** Where the plain-text xDS port listens, or null when it is not served. */
  public InetSocketAddress xdsAddress() {
    return options.xds();
  }

  /** The secure xDS port, or -1 when not served. */
  public int secureXdsPort() {
    return secureXds == null ? -1 : secureXds.port();
  }

  public int debugPort() {
    return debug.get(0).port();
  }

  /** The monitoring port, or -1 when not served. */
  public int monitoringPort() {
    return debug.size() > 1 ? debug.get(1).port() : -1;
  }

  /** The webhooks' port, or -1 when not served. */
  public int webhookPort() {
    WebhookServer w = webhook;
    return w == null ? -1 : w.port();
  }

  /** The webhooks' paths ("/inject", "/validate"), none when not served. */
  public List<String> webhookPaths() {
    WebhookServer w = webhook;
    return w == null ? List.of() : w.paths();
  }

  public boolean ready() {
    return ready;
  }

  @Override
  public void close() {
    ready = false;
    WebhookServer w = webhook;
    if (w != null) {
      w.close();
    }
    debug.forEach(DebugServer::close);
    if (xds != null) {
      xds.close();
    }
    if (secureXds != null) {
      secureXds.close();
    }
    MeshCa c = ca;
    if (c != null) {
      c.close();
    }
    pipeline.close();
    SecretWatches watches = secrets;
    if (watches != null) {
      watches.close();
    }
    ConfigEvents e = configEvents;
    if (e != null) {
      e.close();
    }
    if (source != null) {
      source.close();
    }
    if (kubeSource != null) {
      kubeSource.close();
    }
  }
}
