package dev.mizzen.pilot.cmd;

import dev.mizzen.ingest.kube.WatchScope;
import dev.mizzen.openshift.inject.Injection;
import dev.mizzen.openshift.inject.InjectionTemplate;
import dev.mizzen.pilot.app.Application;
import dev.mizzen.pilot.app.ControlPlane;
import dev.mizzen.pilot.app.ServeSettings;
import dev.mizzen.pilot.push.MeshSettings;
import dev.mizzen.pilot.xds.XdsLimits;
import dev.mizzen.pilot.xds.XdsServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mizzen serve}: run a control plane until stopped. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = "Serve xDS to the proxies of the member namespaces.")
final class ServeCommand implements Callable<Integer> {

  @Option(
      names = "--config-dir",
      paramLabel = "DIR",
      description =
          "Serve the manifests (*.yaml, *.yml) under DIR, following changes. Default: the bundled"
              + " example mesh, $MIZZEN_HOME/examples/mesh.")
  Path configDir;

  @Option(
      names = "--exit-when-ready",
      hidden = true,
      description =
          "Start, become ready, and stop again: the training run that writes a class-data-sharing"
              + " archive (-XX:ArchiveClassesAtExit) of the classes a start loads.")
  boolean exitWhenReady;

  @Option(
      names = "--validate-output",
      description =
          "Check every new snapshot against Envoy's own validation rules (PGV) before publishing it; a"
              + " snapshot that breaks one is held back (its proxies keep the last good one) and reported on"
              + " the objects it came from.")
  boolean validateOutput;

  @Option(
      names = "--kube",
      description = "Read config from Kubernetes (in cluster, or KUBECONFIG).")
  boolean kube;

  @Option(
      names = "--watch-scope",
      defaultValue = "namespaces",
      description =
          "With --kube: 'namespaces' watches each member namespace (namespaced rights only);"
              + " 'cluster' watches each kind once cluster-wide and keeps members' objects only"
              + " (needs cluster-wide read rights). Default: ${DEFAULT-VALUE}.")
  String watchScope;

  @Option(
      names = "--manage-members",
      description =
          "With --kube: also run the member controller (namespace labels, RoleBindings,"
              + " NetworkPolicies, the roll's status) under a Lease; needs its ClusterRole.")
  boolean manageMembers;

  @Option(
      names = "--ior",
      description =
          "With --manage-members: also mirror the member namespaces' Gateways as OpenShift Routes (IOR),"
              + " under the member controller's Lease. Off, with a log line, where Routes are not served.")
  boolean ior;

  @Option(
      names = "--inject",
      description =
          "Serve the sidecar injection webhook (HTTPS, needs --webhook-cert and --webhook-key): pods of member"
              + " namespaces annotated sidecar.istio.io/inject: \"true\" get the proxy.")
  boolean inject;

  @Option(
      names = "--validation-webhook",
      description =
          "Serve the validating admission webhook (HTTPS at /validate, needs --webhook-cert and --webhook-key):"
              + " Istio and Maistra objects of the mesh's namespaces that Mizzen would refuse are refused when"
              + " applied, with the same message.")
  boolean validationWebhook;

  @Option(
      names = "--webhook-port",
      defaultValue = "15017",
      description = "The admission webhooks (injection, validation). Default: ${DEFAULT-VALUE}.")
  int webhookPort;

  @Option(
      names = "--webhook-cert",
      paramLabel = "PEM",
      description = "The webhook's certificate chain, read again when it changes.")
  Path webhookCert;

  @Option(
      names = "--webhook-key",
      paramLabel = "PEM",
      description = "The webhook's private key (PKCS#8, or PKCS#1 RSA).")
  Path webhookKey;

  @Option(
      names = "--injection-template",
      paramLabel = "FILE",
      description =
          "What injection adds to a pod (YAML); default: the built-in template for Istio's proxyv2.")
  Path injectionTemplate;

  @Option(
      names = "--cni",
      description =
          "With --inject: the CNI plugin redirects pods' traffic, so no (privileged) init container is injected.")
  boolean cni;

  @Option(
      names = "--discovery-address",
      paramLabel = "HOST:PORT",
      description =
          "With --inject: the secure xDS address injected proxies connect to. Default:"
              + " mizzen.<control plane namespace>.svc:<secure xDS port>.")
  String discoveryAddress;

  @Option(
      names = "--secure-xds-port",
      defaultValue = "15012",
      description =
          "ADS over mutual TLS, served when --tls-cert, --tls-key and --ca-cert are given. Default: ${DEFAULT-VALUE}.")
  int secureXdsPort;

  @Option(
      names = "--tls-cert",
      paramLabel = "PEM",
      description = "The secure port's certificate chain.")
  Path tlsCert;

  @Option(
      names = "--tls-key",
      paramLabel = "PEM",
      description = "The secure port's private key (PKCS#8).")
  Path tlsKey;

  @Option(
      names = "--ca-cert",
      paramLabel = "PEM",
      description = "The CA that signs the proxies' client certificates.")
  Path caCert;

  @Option(
      names = "--ca",
      defaultValue = "mizzen",
      paramLabel = "mizzen|external",
      description =
          "Who issues workload certificates. mizzen: Mizzen is the mesh's CA and serves Istio's"
              + " certificate service on the secure port (in a cluster with the Secret cacerts, else"
              + " istio-ca-secret, made with a new root when missing; otherwise with --ca-dir)."
              + " external: another CA does (cert-manager's istio-csr); Mizzen issues nothing and"
              + " serves the secure port with --tls-cert. Default: ${DEFAULT-VALUE}.")
  String ca;

  @Option(
      names = "--ca-dir",
      paramLabel = "DIR",
      description =
          "A plugged-in CA's files in Istio's layout: ca-cert.pem, ca-key.pem, cert-chain.pem,"
              + " root-cert.pem. Without a cluster the CA runs only with it, and callers then"
              + " authenticate with a certificate it issued.")
  Path caDir;

  @Option(
      names = "--trust-domain",
      defaultValue = "cluster.local",
      description = "The trust domain of the identities the CA issues. Default: ${DEFAULT-VALUE}.")
  String trustDomain;

  @Option(
      names = "--control-plane-namespace",
      defaultValue = "istio-system",
      description =
          "The control plane's namespace, where its member roll lives. Default: ${DEFAULT-VALUE}.")
  String controlPlaneNamespace;

  @Option(
      names = "--member-roll-name",
      defaultValue = "default",
      description = "The ServiceMeshMemberRoll to follow. Default: ${DEFAULT-VALUE}.")
  String memberRollName;

  @Option(
      names = "--xds-port",
      defaultValue = "15010",
      description = "ADS over plain text (see --plaintext-xds). Default: ${DEFAULT-VALUE}.")
  int xdsPort;

  @Option(
      names = "--plaintext-xds",
      description =
          "Serve ADS over plain text on --xds-port at --bind-address. Without it the port is off in a"
              + " cluster (--kube) and on 127.0.0.1 only otherwise: on plain text nothing proves a"
              + " proxy's namespace, so any client that reaches the port can read any member's config.")
  boolean plaintextXds;

  @Option(
      names = "--debug-port",
      defaultValue = "8080",
      description = "Debug endpoints and /ready. Default: ${DEFAULT-VALUE}.")
  int debugPort;

  @Option(
      names = "--monitoring-port",
      defaultValue = "15014",
      description =
          "Monitoring (debug endpoints, as istiod serves them here too). Default: ${DEFAULT-VALUE}.")
  int monitoringPort;

  @Option(
      names = "--bind-address",
      defaultValue = "0.0.0.0",
      description = "Address to listen on. Default: ${DEFAULT-VALUE}.")
  String bindAddress;

  @Option(
      names = "--domain",
      defaultValue = "cluster.local",
      description = "The cluster's DNS suffix. Default: ${DEFAULT-VALUE}.")
  String domain;

  @Option(
      names = "--xds-max-message-size",
      paramLabel = "BYTES",
      defaultValue = "4194304",
      description =
          "The largest request a client may send on the xDS ports (istiod's 4 MiB). Default: ${DEFAULT-VALUE}.")
  int xdsMaxMessageSize;

  @Option(
      names = "--xds-max-resource-names",
      defaultValue = "100000",
      description = "The most resource names one xDS request may name. Default: ${DEFAULT-VALUE}.")
  int xdsMaxResourceNames;

  @Option(
      names = "--xds-max-streams-per-connection",
      defaultValue = "16",
      description =
          "Concurrent xDS streams on one connection (a proxy needs one). Default: ${DEFAULT-VALUE}.")
  int xdsMaxStreamsPerConnection;

  @Option(
      names = "--xds-max-connections-per-address",
      defaultValue = "100",
      description =
          "xDS connections open at once from one source address. Default: ${DEFAULT-VALUE}.")
  int xdsMaxConnectionsPerAddress;

  @Option(
      names = "--xds-max-new-streams-per-second",
      paramLabel = "RATE",
      description =
          "xDS streams admitted per second (istiod's PILOT_MAX_REQUESTS_PER_SECOND); others are told to"
              + " retry. 0: no limit. Default: min(15 + 5 x cores, 100).")
  Double xdsNewStreamsPerSecond;

  @Option(
      names = "--xds-keepalive-time",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description =
          "Silence on an xDS connection before Mizzen pings it. Default: ${DEFAULT-VALUE}.")
  Duration xdsKeepaliveTime;

  @Option(
      names = "--xds-keepalive-timeout",
      defaultValue = "10s",
      converter = DurationConverter.class,
      description =
          "How long a ping may go unanswered before the connection is closed. Default: ${DEFAULT-VALUE}.")
  Duration xdsKeepaliveTimeout;

  @Option(
      names = "--xds-max-connection-idle",
      defaultValue = "5m",
      converter = DurationConverter.class,
      description =
          "How long an xDS connection without streams is kept. Default: ${DEFAULT-VALUE}.")
  Duration xdsMaxConnectionIdle;

  @Option(
      names = "--xds-max-connection-age",
      defaultValue = "30m",
      converter = DurationConverter.class,
      description =
          "How long an xDS connection lives before its client is asked to reconnect, spreading proxies"
              + " over replicas. Default: ${DEFAULT-VALUE}.")
  Duration xdsMaxConnectionAge;

  @Option(
      names = "--xds-max-node-size",
      paramLabel = "BYTES",
      defaultValue = "262144",
      description =
          "The largest node (id and metadata) a stream may present. Default: ${DEFAULT-VALUE}.")
  int xdsMaxNodeSize;

  @Option(
      names = "--config-dir-stable",
      defaultValue = "300ms",
      converter = DurationConverter.class,
      description =
          "How long a changed file under --config-dir must stay as it is before it is applied, so"
              + " that a file being written is never served half-way; 0 applies a change as soon as"
              + " it is seen (without the 50 ms wait for the rest of an editor's burst of events), for"
              + " directories whose files are only ever moved in place whole (as a ConfigMap"
              + " volume's are). Default: ${DEFAULT-VALUE}.")
  Duration configDirStable;

  @Option(
      names = "--debounce-after",
      defaultValue = "100ms",
      converter = DurationConverter.class,
      description =
          "Quiet time before a push (istiod's PILOT_DEBOUNCE_AFTER). Default: ${DEFAULT-VALUE}.")
  Duration debounceAfter;

  @Option(
      names = "--debounce-max",
      defaultValue = "10s",
      converter = DurationConverter.class,
      description =
          "Longest a change waits for a push (istiod's PILOT_DEBOUNCE_MAX). Default: ${DEFAULT-VALUE}.")
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
      description =
          "The share of requests traced, 0 to 100 (Maistra's SMCP default: 100). Default: ${DEFAULT-VALUE}.")
  double traceSampling;

  @Option(
      names = "--log-format",
      defaultValue = "text",
      description = "text or json (one JSON object per line). Default: ${DEFAULT-VALUE}.")
  String logFormat;

  @Override
  public Integer call() throws Exception {
    switch (logFormat) {
      case "text" -> {}
      case "json" -> Logging.useJson();
      default -> {
        System.err.println("mizzen: --log-format must be text or json, not \"" + logFormat + "\"");
        return 2;
      }
    }
    if (kube && configDir != null) {
      System.err.println("mizzen: --kube and --config-dir exclude each other; choose one source");
      return 2;
    }
    WatchScope scope = parseScope(watchScope);
    if (scope == null) {
      System.err.println(
          "mizzen: --watch-scope must be 'namespaces' or 'cluster', not '" + watchScope + "'");
      return 2;
    }
    if (manageMembers && !kube) {
      System.err.println("mizzen: --manage-members needs --kube");
      return 2;
    }
    if (ior && !manageMembers) {
      System.err.println(
          "mizzen: --ior needs --manage-members: Routes are written under the member controller's Lease"
              + " (or run `mizzen member-controller --ior`)");
      return 2;
    }
    Map<String, Number> counts = new LinkedHashMap<>();
    counts.put("--xds-max-message-size", xdsMaxMessageSize);
    counts.put("--xds-max-resource-names", xdsMaxResourceNames);
    counts.put("--xds-max-streams-per-connection", xdsMaxStreamsPerConnection);
    counts.put("--xds-max-connections-per-address", xdsMaxConnectionsPerAddress);
    counts.put("--xds-max-node-size", xdsMaxNodeSize);
    for (Map.Entry<String, Number> e : counts.entrySet()) {
      if (e.getValue().longValue() <= 0) {
        System.err.println("mizzen: " + e.getKey() + " must be positive, not " + e.getValue());
        return 2;
      }
    }
    if (xdsNewStreamsPerSecond != null && xdsNewStreamsPerSecond < 0) {
      System.err.println(
          "mizzen: --xds-max-new-streams-per-second must be positive, or 0 for no limit");
      return 2;
    }
    long tlsFiles = Stream.of(tlsCert, tlsKey, caCert).filter(Objects::nonNull).count();
    if (tlsFiles != 0 && tlsFiles != 3) {
      System.err.println(
          "mizzen: the secure port needs all of --tls-cert, --tls-key and --ca-cert");
      return 2;
    }
    if (!ca.equals("mizzen") && !ca.equals("external")) {
      System.err.println("mizzen: --ca is mizzen or external, not " + ca);
      return 2;
    }
    boolean ownCa = ca.equals("mizzen") && (kube || caDir != null);
    if (ca.equals("external") && caDir != null) {
      System.err.println("mizzen: --ca-dir is for --ca mizzen; an external CA keeps its own keys");
      return 2;
    }
    if (kube && tlsFiles == 0 && !ownCa && !plaintextXds) {
      System.err.println(
          "mizzen: with an external CA proxies connect to the secure xDS port: give --tls-cert,"
              + " --tls-key and --ca-cert (or --plaintext-xds, which lets any pod that reaches the"
              + " port read any member's config)");
      return 2;
    }
    ControlPlane.Webhook webhook;
    try {
      webhook = webhook(tlsFiles == 3 || ownCa);
    } catch (IllegalArgumentException | IOException e) {
      System.err.println("mizzen: " + e.getMessage());
      return 2;
    }
    Path dir = kube ? null : displayable(configDir != null ? configDir : defaultConfigDir());
    if (dir != null && !Files.isDirectory(dir)) {
      System.err.println("mizzen: config directory " + dir + " does not exist");
      return 2;
    }
    if (traceSampling < 0 || traceSampling > 100) {
      System.err.println(
          "mizzen: --trace-sampling must be between 0 and 100, not " + traceSampling);
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
    XdsLimits limits;
    try {
      limits =
          new XdsLimits(
              xdsMaxMessageSize,
              xdsMaxResourceNames,
              xdsMaxStreamsPerConnection,
              xdsMaxConnectionsPerAddress,
              xdsNewStreamsPerSecond == null
                  ? XdsLimits.defaultStreamsPerSecond()
                  : xdsNewStreamsPerSecond,
              xdsKeepaliveTime,
              xdsKeepaliveTimeout,
              xdsMaxConnectionIdle,
              xdsMaxConnectionAge,
              xdsMaxNodeSize);
    } catch (IllegalArgumentException e) {
      System.err.println("mizzen: " + e.getMessage());
      return 2;
    }
    ControlPlane.Options options =
        new ControlPlane.Options(
            dir,
            memberRollName,
            mesh,
            plaintextXds
                ? new InetSocketAddress(bindAddress, xdsPort)
                : kube ? null : new InetSocketAddress("127.0.0.1", xdsPort),
            new InetSocketAddress(bindAddress, debugPort),
            monitoringPort == debugPort ? null : new InetSocketAddress(bindAddress, monitoringPort),
            debounceAfter,
            debounceMax,
            configDirStable,
            debugTokenFile,
            Mizzen.Version.get(),
            validateOutput,
            limits);
    ControlPlane.SecureXds secure =
        tlsFiles == 0 && !ownCa
            ? null
            : new ControlPlane.SecureXds(
                new InetSocketAddress(bindAddress, secureXdsPort),
                tlsFiles == 0 ? null : new XdsServer.Tls(tlsCert, tlsKey, caCert),
                ownCa ? new ControlPlane.Ca(caDir, trustDomain, serverNames(secureXdsPort)) : null);
    return Application.run(
        new ServeSettings(
            options, kube ? scope : null, manageMembers, ior, secure, webhook, bindAddress),
        Mizzen.Version.get(),
        exitWhenReady);
  }

  /**
   * The names proxies dial the secure port by, for its own certificate: Mizzen's Service, istiod's
   * (which Istio's agents use by default) and the host of --discovery-address.
   */
  private List<String> serverNames(int port) {
    List<String> names = new ArrayList<>();
    names.add("mizzen." + controlPlaneNamespace + ".svc");
    names.add("istiod." + controlPlaneNamespace + ".svc");
    if (discoveryAddress != null && discoveryAddress.contains(":")) {
      String host = discoveryAddress.substring(0, discoveryAddress.lastIndexOf(':'));
      if (!names.contains(host)) {
        names.add(host);
      }
    }
    return names;
  }

  /** The webhook the flags ask for, or null; the message of the exception says what is wrong. */
  private ControlPlane.Webhook webhook(boolean secureXds) throws IOException {
    if (!inject) {
      if (injectionTemplate != null || discoveryAddress != null) {
        throw new IllegalArgumentException(
            "--injection-template and --discovery-address need --inject");
      }
      if (cni) {
        throw new IllegalArgumentException("--cni needs --inject");
      }
    }
    if (!inject && !validationWebhook) {
      if (webhookCert != null || webhookKey != null) {
        throw new IllegalArgumentException(
            "--webhook-cert and --webhook-key need --inject or --validation-webhook");
      }
      return null;
    }
    if (webhookCert == null || webhookKey == null) {
      throw new IllegalArgumentException(
          (inject ? "--inject" : "--validation-webhook")
              + " needs --webhook-cert and --webhook-key: the API server calls webhooks over HTTPS");
    }
    InetSocketAddress address = new InetSocketAddress(bindAddress, webhookPort);
    if (!inject) {
      return new ControlPlane.Webhook(address, webhookCert, webhookKey, null, true);
    }
    if (discoveryAddress == null && !secureXds) {
      throw new IllegalArgumentException(
          "--inject points proxies at the secure xDS port: give --tls-cert, --tls-key and --ca-cert, or the"
              + " --discovery-address of a control plane that serves it");
    }
    InjectionTemplate template =
        injectionTemplate == null
            ? InjectionTemplate.builtIn()
            : InjectionTemplate.load(injectionTemplate);
    String discovery =
        discoveryAddress != null
            ? discoveryAddress
            : Injection.serviceAddress(controlPlaneNamespace, secureXdsPort);
    return new ControlPlane.Webhook(
        address,
        webhookCert,
        webhookKey,
        new Injection(controlPlaneNamespace, discovery, domain, cni, template),
        validationWebhook);
  }

  private static WatchScope parseScope(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "namespaces", "namespace" -> WatchScope.NAMESPACES;
      case "cluster" -> WatchScope.CLUSTER;
      default -> null;
    };
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
