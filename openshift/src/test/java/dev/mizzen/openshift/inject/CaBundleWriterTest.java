package dev.mizzen.openshift.inject;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mizzen.tenancy.controller.MemberController;
import dev.mizzen.testing.kube.MockApiServer;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The caBundle writer against fabric8's mock API server in CRUD mode holding two control planes'
 * webhook configurations, istio-system's (this writer's) and mesh-b's.
 */
class CaBundleWriterTest {
  private static final String AGENT = "ca-bundle";

  @TempDir Path dir;
  private MockApiServer api;
  private final List<AutoCloseable> running = new ArrayList<>();

  @BeforeEach
  void cluster() {
    api = new MockApiServer();
    for (String ns : List.of("istio-system", "mesh-b")) {
      api.create(validating(ns, ns.equals("mesh-b") ? "bWVzaC1iJ3MgQ0E=" : null, false));
      api.create(mutating(ns));
    }
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = running.size() - 1; i >= 0; i--) {
      running.get(i).close();
    }
    api.close();
  }

  /** The control plane's ValidatingWebhookConfiguration, as deploy/ has it, less the rules. */
  private static String validating(String ns, String caBundle, boolean serviceCa) {
    String bundle = caBundle == null ? "" : ", caBundle: " + caBundle;
    return "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\n"
        + "metadata:\n  name: mizzen-validator-"
        + ns
        + "\n  labels: {app: mizzen, maistra.io/owner: "
        + ns
        + "}\n"
        + (serviceCa
            ? "  annotations: {service.beta.openshift.io/inject-cabundle: \"true\"}\n"
            : "")
        + "webhooks:\n"
        + "- name: validation.istio.io\n  admissionReviewVersions: [v1]\n  sideEffects: None\n"
        + "  clientConfig: {service: {name: mizzen, namespace: "
        + ns
        + ", path: /validate, port: 15017}"
        + bundle
        + "}\n"
        + "- name: control-plane.validation.istio.io\n  admissionReviewVersions: [v1]\n  sideEffects: None\n"
        + "  clientConfig: {service: {name: mizzen, namespace: "
        + ns
        + ", path: /validate, port: 15017}"
        + bundle
        + "}\n";
  }

  private static String mutating(String ns) {
    return "apiVersion: admissionregistration.k8s.io/v1\nkind: MutatingWebhookConfiguration\n"
        + "metadata: {name: mizzen-sidecar-injector-"
        + ns
        + "}\nwebhooks:\n- name: sidecar-injector.istio.io\n  admissionReviewVersions: [v1]\n  sideEffects: None\n"
        + "  clientConfig: {service: {name: mizzen, namespace: "
        + ns
        + ", path: /inject, port: 15017}}\n";
  }

  private CaBundleWriter writer(Path certificate) {
    CaBundleWriter writer =
        new CaBundleWriter(
            api.newClient(AGENT), "istio-system", certificate, Duration.ofMillis(200));
    running.add(writer);
    return writer;
  }

  private GenericKubernetesResource get(ResourceDefinitionContext kind, String name) {
    return api.client().genericKubernetesResources(kind).withName(name).get();
  }

  /** The caBundle of each webhook of the configuration, as written (base64). */
  @SuppressWarnings("unchecked")
  private List<String> bundles(ResourceDefinitionContext kind, String name) {
    List<String> out = new ArrayList<>();
    for (Object hook : (List<Object>) get(kind, name).getAdditionalProperties().get("webhooks")) {
      Map<String, Object> clientConfig =
          (Map<String, Object>) ((Map<String, Object>) hook).get("clientConfig");
      out.add((String) clientConfig.get("caBundle"));
    }
    return out;
  }

  /** The certificates a caBundle holds. */
  private static List<Certificate> certificates(String bundle) throws Exception {
    return List.copyOf(
        CertificateFactory.getInstance("X.509")
            .generateCertificates(new ByteArrayInputStream(Base64.getDecoder().decode(bundle))));
  }

  private List<String> patches() {
    return api.requestsFrom(AGENT).stream().filter(r -> r.startsWith("PATCH ")).toList();
  }

  @Test
  void patchesItsOwnConfigurationsToTheCaOfTheCertificateAndNoOther() throws Exception {
    TestCertificates pki = new TestCertificates();
    Path cert = dir.resolve("tls.crt");
    pki.server(cert, dir.resolve("tls.key"), true);
    CaBundleWriter writer = writer(cert);
    writer.check();

    List<String> validator = bundles(CaBundleWriter.VALIDATING, "mizzen-validator-istio-system");
    assertThat(validator).hasSize(2).doesNotContainNull();
    assertThat(certificates(validator.get(0))).containsExactly(pki.ca());
    assertThat(validator.get(1)).isEqualTo(validator.get(0));
    assertThat(bundles(CaBundleWriter.MUTATING, "mizzen-sidecar-injector-istio-system"))
        .containsExactly(validator.get(0));

    assertThat(bundles(CaBundleWriter.VALIDATING, "mizzen-validator-mesh-b"))
        .as("another control plane's configuration is left alone")
        .containsExactly("bWVzaC1iJ3MgQ0E=", "bWVzaC1iJ3MgQ0E=");
    assertThat(bundles(CaBundleWriter.MUTATING, "mizzen-sidecar-injector-mesh-b"))
        .containsExactly((String) null);
    assertThat(api.requestsFrom(AGENT))
        .isNotEmpty()
        .allMatch(
            r ->
                r.endsWith("/validatingwebhookconfigurations/mizzen-validator-istio-system")
                    || r.endsWith(
                        "/mutatingwebhookconfigurations/mizzen-sidecar-injector-istio-system"),
            "only its own two configurations, by name");
    assertThat(patches()).hasSize(2);

    // In step: read again, nothing written.
    writer.check();
    assertThat(patches()).hasSize(2);
  }

  @Test
  void theBundleFollowsTheCertificateToANewCa() throws Exception {
    Path cert = dir.resolve("tls.crt");
    new TestCertificates().server(cert, dir.resolve("tls.key"), false);
    CaBundleWriter writer = writer(cert);
    writer.check();
    TestCertificates next = new TestCertificates();
    next.server(cert, dir.resolve("tls.key"), false);
    writer.check();
    assertThat(
            certificates(
                bundles(CaBundleWriter.VALIDATING, "mizzen-validator-istio-system").get(0)))
        .containsExactly(next.ca());
    assertThat(patches()).hasSize(4);
  }

  @Test
  void theCaIsCaCrtBesideTheCertificateWhenTheChainLacksIt() throws Exception {
    TestCertificates pki = new TestCertificates();
    Path cert = dir.resolve("tls.crt");
    pki.server(cert, dir.resolve("tls.key"), false, false);
    CaBundleWriter writer = writer(cert);
    writer.check();
    assertThat(patches()).as("no CA known: nothing written").isEmpty();
    assertThat(bundles(CaBundleWriter.VALIDATING, "mizzen-validator-istio-system"))
        .containsOnlyNulls();

    pki.writeCa(dir.resolve("ca.crt"));
    writer.check();
    assertThat(
            certificates(
                bundles(CaBundleWriter.VALIDATING, "mizzen-validator-istio-system").get(1)))
        .containsExactly(pki.ca());
  }

  @Test
  void aConfigurationLeftToOpenShiftsServiceCaIsNotTouched() throws Exception {
    api.client()
        .genericKubernetesResources(CaBundleWriter.VALIDATING)
        .withName("mizzen-validator-istio-system")
        .delete();
    api.create(validating("istio-system", null, true));
    Path cert = dir.resolve("tls.crt");
    new TestCertificates().server(cert, dir.resolve("tls.key"), false);
    writer(cert).check();
    assertThat(bundles(CaBundleWriter.VALIDATING, "mizzen-validator-istio-system"))
        .containsOnlyNulls();
    assertThat(patches())
        .containsExactly(
            "PATCH /apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/mizzen-sidecar-injector-istio-system");
  }

  @Test
  void itWritesOnlyUnderTheMemberControllersLease() throws Exception {
    api.create("apiVersion: v1\nkind: Namespace\nmetadata: {name: istio-system}\n");
    api.create(
        "apiVersion: maistra.io/v1\nkind: ServiceMeshMemberRoll\nmetadata: {name: default, namespace: istio-system}\nspec: {members: []}\n");
    TestCertificates pki = new TestCertificates();
    Path cert = dir.resolve("tls.crt");
    pki.server(cert, dir.resolve("tls.key"), false);
    CaBundleWriter writer = writer(cert);
    MemberController members =
        new MemberController(
            api.newClient("member-controller"),
            MemberController.Settings.defaults("istio-system", "default", "replica-1"));
    members.add(writer);
    running.add(members);
    assertThat(patches()).isEmpty();
    members.start();
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (bundles(CaBundleWriter.MUTATING, "mizzen-sidecar-injector-istio-system").get(0) == null
        && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(
            certificates(
                bundles(CaBundleWriter.MUTATING, "mizzen-sidecar-injector-istio-system").get(0)))
        .containsExactly(pki.ca());
  }
}
