package dev.mizzen.pilot.app;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import dev.mizzen.ca.CaMetrics;
import dev.mizzen.ca.Callers;
import dev.mizzen.ca.CertificateAuthority;
import dev.mizzen.ca.CertificateService;
import dev.mizzen.ca.Refusal;
import dev.mizzen.ca.SigningKeys;
import dev.mizzen.pilot.xds.TokenAuthenticator;
import dev.mizzen.pilot.xds.XdsServer;
import dev.mizzen.tenancy.controller.CaSecrets;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.grpc.ServerCredentials;
import io.grpc.ServerServiceDefinition;
import io.grpc.TlsServerCredentials;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The certificate authority of one control plane, as the process runs it: its signing keys found as
 * istiod finds them, Istio's certificate service for the secure port, and that port's own serving
 * certificate, issued by the CA for the names proxies dial and renewed at half its life without
 * dropping a stream.
 */
final class MeshCa implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MeshCa.class);

  private static final Duration ROOT_TTL = Duration.ofDays(3650);
  private static final Duration SERVING_TTL = Duration.ofHours(24);

  private final CertificateAuthority authority;
  private final Callers callers;
  private final boolean checksTokens;
  private final CertificateService service;
  private final CaMetrics metrics;
  private final String keysFrom;
  private volatile X509Certificate serving;
  private final List<String> serverNames;
  private final AdvancedTlsX509KeyManager keyManager = new AdvancedTlsX509KeyManager();
  private final ScheduledExecutorService renewal;

  private MeshCa(
      CertificateAuthority authority,
      Callers callers,
      boolean checksTokens,
      CertificateService service,
      CaMetrics metrics,
      String keysFrom,
      List<String> serverNames) {
    this.metrics = metrics;
    this.keysFrom = keysFrom;
    this.authority = authority;
    this.callers = callers;
    this.checksTokens = checksTokens;
    this.service = service;
    this.serverNames = List.copyOf(serverNames);
    this.renewal =
        Executors.newSingleThreadScheduledExecutor(
            new ThreadFactoryBuilder().setNameFormat("mizzen-ca-renewal").setDaemon(true).build());
  }

  /**
   * Starts the CA of {@code ca}.
   *
   * @param client the cluster's client, null with the directory source (certificates only)
   * @param namespace the control plane's namespace, where its CA Secrets live
   * @param member whether a namespace is a member (identities are issued there only)
   */
  static MeshCa start(
      ControlPlane.Ca ca,
      KubernetesClient client,
      String namespace,
      Predicate<String> member,
      MeterRegistry registry)
      throws IOException {
    Found found;
    try {
      found = keys(ca, client, namespace);
    } catch (IllegalArgumentException e) {
      throw new IOException("the CA's keys cannot be used: " + e.getMessage(), e);
    }
    SigningKeys keys = found.keys();
    CertificateAuthority authority = CertificateAuthority.of(keys, ca.trustDomain());
    Callers callers =
        new Callers(
            Optional.ofNullable(client).map(Callers::tokenReview),
            keys,
            ca.trustDomain(),
            member,
            Clock.systemUTC());
    CaMetrics metrics =
        new CaMetrics().register(registry, keys.root().getNotAfter().toInstant().getEpochSecond());
    MeshCa started =
        new MeshCa(
            authority,
            callers,
            client != null,
            new CertificateService(authority, callers, metrics),
            metrics,
            found.from(),
            ca.serverNames());
    started.renew();
    return started;
  }

  /** Signing keys, and where they were found. */
  private record Found(SigningKeys keys, String from) {}

  /** The signing keys: the directory's files, else the cluster's Secrets, else a new root. */
  private static Found keys(ControlPlane.Ca ca, KubernetesClient client, String namespace)
      throws IOException {
    if (ca.dir() != null) {
      return new Found(SigningKeys.fromDirectory(ca.dir()), "directory " + ca.dir());
    }
    if (client == null) {
      throw new IOException("the CA needs --ca-dir when it does not run in a cluster");
    }
    for (String name : CaSecrets.SECRETS) {
      Secret s = client.secrets().inNamespace(namespace).withName(name).get();
      if (s != null) {
        log.info("CA keys from Secret {}/{}", namespace, name);
        return new Found(fromSecret(s), "Secret " + namespace + "/" + name);
      }
    }
    SigningKeys made = SigningKeys.selfSigned(ca.trustDomain(), ROOT_TTL, Clock.systemUTC());
    Secret secret =
        new SecretBuilder()
            .withNewMetadata()
            .withName(CaSecrets.SELF_SIGNED)
            .withNamespace(namespace)
            .addToLabels("app.kubernetes.io/managed-by", "mizzen")
            .endMetadata()
            .withType("istio.io/ca-root")
            .withStringData(made.toData())
            .build();
    try {
      client.secrets().inNamespace(namespace).resource(secret).create();
      log.info("made a self-signed root, kept in Secret {}/{}", namespace, CaSecrets.SELF_SIGNED);
      return new Found(
          made, "Secret " + namespace + "/" + CaSecrets.SELF_SIGNED + " (made by this replica)");
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw new IOException(
            "Secret " + namespace + "/" + CaSecrets.SELF_SIGNED + ": " + e.getMessage(), e);
      }
      // Another replica made it first: every replica signs with the same root.
      return new Found(
          fromSecret(client.secrets().inNamespace(namespace).withName(CaSecrets.SELF_SIGNED).get()),
          "Secret " + namespace + "/" + CaSecrets.SELF_SIGNED);
    }
  }

  private static SigningKeys fromSecret(Secret s) {
    try {
      return SigningKeys.fromData(CaSecrets.text(s));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "Secret " + s.getMetadata().getName() + ": " + e.getMessage(), e);
    }
  }

  /** Istio's certificate service, to serve beside ADS. */
  ServerServiceDefinition service() {
    return service.definition();
  }

  /**
   * How an ADS stream without a certificate proves itself, as Istio's agent does: its
   * service-account token, checked as the certificate service checks it (members only); null where
   * tokens cannot be checked (no cluster).
   */
  TokenAuthenticator tokens() {
    if (!checksTokens) {
      return null;
    }
    return authorization -> {
      try {
        return callers.authenticate(authorization, null).spiffe(authority.trustDomain());
      } catch (Refusal r) {
        throw new IllegalArgumentException(r.getMessage(), r);
      }
    };
  }

  /** What /debug/caz shows: the root, the port's certificate, issued and refused by reason. */
  Map<String, Object> caz() {
    X509Certificate root = authority.keys().root();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("enabled", true);
    out.put("trustDomain", authority.trustDomain());
    out.put("keys", keysFrom);
    out.put(
        "root",
        Map.of(
            "subject", root.getSubjectX500Principal().getName(),
            "notAfter", root.getNotAfter().toInstant().toString()));
    X509Certificate port = serving;
    if (port != null) {
      out.put(
          "servingCertificate",
          Map.of("names", serverNames, "notAfter", port.getNotAfter().toInstant().toString()));
    }
    out.put("issued", metrics.issuedCount());
    Map<String, Long> refused = new LinkedHashMap<>();
    metrics.refusals().forEach((reason, n) -> refused.put(reason.name().toLowerCase(), n));
    out.put("refused", refused);
    return out;
  }

  String rootPem() {
    return authority.keys().rootPem();
  }

  /**
   * The secure port's credentials: its own certificate from the CA (or {@code files} when given),
   * trusting client certificates of the CA (and the files' CA); a client certificate is optional,
   * since the certificate service also takes tokens, and ADS refuses a stream without one.
   */
  ServerCredentials credentials(XdsServer.Tls files) throws IOException {
    TlsServerCredentials.Builder b = TlsServerCredentials.newBuilder();
    String trusted = rootPem();
    if (files != null) {
      b.keyManager(files.certChain().toFile(), files.privateKey().toFile());
      trusted += Files.readString(files.caCertificates());
    } else {
      b.keyManager(keyManager);
    }
    return b.trustManager(new ByteArrayInputStream(trusted.getBytes(StandardCharsets.US_ASCII)))
        .clientAuth(TlsServerCredentials.ClientAuth.OPTIONAL)
        .build();
  }

  /** Issues the serving certificate again and schedules the next renewal at half its life. */
  private void renew() {
    try {
      CertificateAuthority.ServingCertificate serving = authority.serving(serverNames, SERVING_TTL);
      List<X509Certificate> chain = serving.chain();
      keyManager.updateIdentityCredentials(chain.toArray(new X509Certificate[0]), serving.key());
      this.serving = serving.certificate();
      log.info(
          "secure port certificate for {} until {}",
          serverNames,
          serving.certificate().getNotAfter().toInstant());
      renewal.schedule(this::renew, SERVING_TTL.toSeconds() / 2, TimeUnit.SECONDS);
    } catch (RuntimeException e) {
      log.error("the secure port's certificate could not be renewed; trying again in a minute", e);
      renewal.schedule(this::renew, 60, TimeUnit.SECONDS);
    }
  }

  @Override
  public void close() {
    renewal.shutdownNow();
  }
}
