package dev.mizzen.openshift.inject;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.google.common.util.concurrent.ThreadFactoryBuilder;
import dev.mizzen.tenancy.controller.LeaderTask;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the {@code caBundle} of this control plane's two webhook configurations, the
 * ValidatingWebhookConfiguration {@code mizzen-validator-<ns>} and the MutatingWebhookConfiguration
 * {@code mizzen-sidecar-injector-<ns>}, equal to the CA of the webhook's serving certificate, so
 * that the API server trusts the webhook where no one else fills it in. It runs beside the member
 * controller, under its Lease, so one replica writes; it touches those two objects by name and no
 * other, patches only a webhook whose bundle differs, and leaves alone a configuration annotated
 * for OpenShift's service CA, which fills in the bundle there.
 *
 * <p>The CA is read from the certificate's files on every pass, so a rotated certificate with a new
 * CA is followed: {@code ca.crt} beside the certificate when there is one (as cert-manager writes
 * it), else the last certificate of the chain when it is self-signed (a chain that carries its
 * root).
 */
public final class CaBundleWriter implements LeaderTask, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CaBundleWriter.class);

  /** Set on configurations whose bundle OpenShift's service CA fills in. */
  static final String SERVICE_CA = "service.beta.openshift.io/inject-cabundle";

  static final Duration CHECK_EVERY = Duration.ofSeconds(15);

  static final ResourceDefinitionContext VALIDATING = admission("ValidatingWebhookConfiguration");
  static final ResourceDefinitionContext MUTATING = admission("MutatingWebhookConfiguration");

  private static final ObjectMapper JSON = new ObjectMapper();

  private final KubernetesClient client;
  private final String controlPlaneNamespace;
  private final Path certChain;
  private final Duration every;
  private final Map<ResourceDefinitionContext, String> configurations = new LinkedHashMap<>();
  private final ScheduledExecutorService executor;

  /**
   * What was last logged about each configuration (and the certificate), on the writer's thread.
   */
  private final Map<String, String> reported = new HashMap<>();

  /** Set and cleared on the member controller's thread only. */
  private ScheduledFuture<?> checking;

  /**
   * @param certChain the webhook's serving certificate chain (PEM), as the webhook reads it
   */
  public CaBundleWriter(KubernetesClient client, String controlPlaneNamespace, Path certChain) {
    this(client, controlPlaneNamespace, certChain, CHECK_EVERY);
  }

  CaBundleWriter(
      KubernetesClient client, String controlPlaneNamespace, Path certChain, Duration every) {
    this.client = client;
    this.controlPlaneNamespace = controlPlaneNamespace;
    this.certChain = certChain;
    this.every = every;
    configurations.put(VALIDATING, validatorName(controlPlaneNamespace));
    configurations.put(MUTATING, injectorName(controlPlaneNamespace));
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            new ThreadFactoryBuilder().setNameFormat("mizzen-ca-bundle").setDaemon(true).build());
  }

  /** The name of the control plane's ValidatingWebhookConfiguration. */
  public static String validatorName(String controlPlaneNamespace) {
    return "mizzen-validator-" + controlPlaneNamespace;
  }

  /** The name of the control plane's MutatingWebhookConfiguration. */
  public static String injectorName(String controlPlaneNamespace) {
    return "mizzen-sidecar-injector-" + controlPlaneNamespace;
  }

  private static ResourceDefinitionContext admission(String kind) {
    return new ResourceDefinitionContext.Builder()
        .withGroup("admissionregistration.k8s.io")
        .withVersion("v1")
        .withKind(kind)
        .withPlural(kind.toLowerCase(Locale.ROOT) + "s")
        .withNamespaced(false)
        .build();
  }

  @Override
  public void startLeading() {
    checking =
        executor.scheduleWithFixedDelay(
            this::checkSafely, 0, every.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public boolean members(SortedSet<String> configured) {
    return true;
  }

  @Override
  public void stopLeading() {
    if (checking != null) {
      checking.cancel(false);
      checking = null;
    }
  }

  @Override
  public String toString() {
    return "caBundle writer of " + controlPlaneNamespace;
  }

  private void checkSafely() {
    try {
      check();
    } catch (RuntimeException e) {
      report("", "caBundle writer of " + controlPlaneNamespace + " failed: " + e, true);
    }
  }

  /** One pass: reads the CA and brings both configurations to it. */
  void check() {
    List<X509Certificate> authorities;
    try {
      authorities = authorities(certChain);
    } catch (IOException e) {
      report(
          "",
          "cannot keep the webhooks' caBundle of " + controlPlaneNamespace + ": " + e.getMessage(),
          true);
      return;
    }
    report("", "", false);
    for (Map.Entry<ResourceDefinitionContext, String> c : configurations.entrySet()) {
      try {
        keep(c.getKey(), c.getValue(), authorities);
      } catch (KubernetesClientException e) {
        report(
            c.getValue(),
            "cannot keep the caBundle of "
                + c.getKey().getKind()
                + " "
                + c.getValue()
                + ": "
                + e.getMessage(),
            true);
      }
    }
  }

  private void keep(
      ResourceDefinitionContext kind, String name, List<X509Certificate> authorities) {
    GenericKubernetesResource config = client.genericKubernetesResources(kind).withName(name).get();
    String what = kind.getKind() + " " + name;
    if (config == null) {
      report(name, what + " does not exist: no caBundle to keep", false);
      return;
    }
    Map<String, String> annotations = config.getMetadata().getAnnotations();
    if (annotations != null && "true".equals(annotations.get(SERVICE_CA))) {
      report(
          name,
          what + ": its caBundle is left to OpenShift's service CA (" + SERVICE_CA + ")",
          false);
      return;
    }
    Object webhooks = config.getAdditionalProperties().get("webhooks");
    List<?> list = webhooks instanceof List<?> l ? l : List.of();
    String bundle = base64Pem(authorities);
    ArrayNode ops = JSON.createArrayNode();
    String version = config.getMetadata().getResourceVersion();
    if (version != null) {
      // The indexes below are those of this version.
      ops.addObject()
          .put("op", "test")
          .put("path", "/metadata/resourceVersion")
          .put("value", version);
    }
    int patched = 0;
    for (int i = 0; i < list.size(); i++) {
      Object current =
          list.get(i) instanceof Map<?, ?> hook && hook.get("clientConfig") instanceof Map<?, ?> cc
              ? cc.get("caBundle")
              : null;
      if (!same(current, authorities)) {
        ops.addObject()
            .put("op", "add")
            .put("path", "/webhooks/" + i + "/clientConfig/caBundle")
            .put("value", bundle);
        patched++;
      }
    }
    if (patched == 0) {
      report(name, "", false);
      return;
    }
    client
        .genericKubernetesResources(kind)
        .withName(name)
        .patch(PatchContext.of(PatchType.JSON), ops.toString());
    reported.remove(name);
    log.info(
        "set the caBundle of {} ({} of {} webhooks) to the CA of {}: {}",
        what,
        patched,
        list.size(),
        certChain,
        authorities.stream().map(c -> c.getSubjectX500Principal().getName()).toList());
  }

  /** Whether a caBundle holds exactly these certificates. */
  private static boolean same(Object caBundle, List<X509Certificate> authorities) {
    if (!(caBundle instanceof String text) || text.isEmpty()) {
      return false;
    }
    try {
      byte[] pem = Base64.getDecoder().decode(text);
      List<byte[]> have = new ArrayList<>();
      for (var c :
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(pem))) {
        have.add(c.getEncoded());
      }
      if (have.size() != authorities.size()) {
        return false;
      }
      for (int i = 0; i < have.size(); i++) {
        if (!Arrays.equals(have.get(i), authorities.get(i).getEncoded())) {
          return false;
        }
      }
      return true;
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      return false;
    }
  }

  /**
   * The CA of the serving certificate in {@code certChain}: {@code ca.crt} beside it when there is
   * one, else the chain's last certificate when it is self-signed.
   */
  static List<X509Certificate> authorities(Path certChain) throws IOException {
    Path caFile = certChain.resolveSibling("ca.crt");
    if (!caFile.equals(certChain) && Files.isRegularFile(caFile)) {
      return List.of(ServingCertificate.readChain(caFile));
    }
    X509Certificate[] chain = ServingCertificate.readChain(certChain);
    X509Certificate last = chain[chain.length - 1];
    if (selfSigned(last)) {
      return List.of(last);
    }
    throw new IOException(
        certChain
            + " ends with a certificate issued by \""
            + last.getIssuerX500Principal().getName()
            + "\", which is not in it, and there is no "
            + caFile
            + ": put the CA in one of them");
  }

  private static boolean selfSigned(X509Certificate c) {
    if (!c.getSubjectX500Principal().equals(c.getIssuerX500Principal())) {
      return false;
    }
    try {
      c.verify(c.getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** The certificates as PEM, base64-encoded as a caBundle holds them. */
  static String base64Pem(List<X509Certificate> certificates) {
    StringBuilder pem = new StringBuilder();
    Base64.Encoder lines = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
    for (X509Certificate c : certificates) {
      try {
        pem.append("-----BEGIN CERTIFICATE-----\n")
            .append(lines.encodeToString(c.getEncoded()))
            .append("\n-----END CERTIFICATE-----\n");
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("a certificate read from a file cannot be encoded", e);
      }
    }
    return Base64.getEncoder().encodeToString(pem.toString().getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * Logs {@code message} about {@code key} once, until it changes; an empty message logs nothing.
   */
  private void report(String key, String message, boolean warning) {
    if (message.equals(reported.getOrDefault(key, ""))) {
      return;
    }
    reported.put(key, message);
    if (message.isEmpty()) {
      return;
    }
    if (warning) {
      log.warn("{}", message);
    } else {
      log.info("{}", message);
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
