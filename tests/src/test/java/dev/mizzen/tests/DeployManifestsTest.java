package dev.mizzen.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mizzen.pilot.cmd.Mizzen;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** deploy/ against the code: it loads, the kustomization lists it, and flags and ports agree. */
class DeployManifestsTest {
  private static final Path DEPLOY = Path.of("..", "deploy");
  private final KubernetesSerialization serialization = new KubernetesSerialization();

  private List<HasMetadata> load(Path file) throws IOException {
    Object parsed = serialization.unmarshal(Files.newInputStream(file));
    List<HasMetadata> objects = new ArrayList<>();
    if (parsed instanceof KubernetesResourceList<?> list) {
      objects.addAll(list.getItems());
    } else if (parsed instanceof List<?> list) {
      for (Object o : list) {
        objects.add((HasMetadata) o);
      }
    } else {
      objects.add((HasMetadata) parsed);
    }
    return objects;
  }

  private List<Path> manifests() throws IOException {
    try (Stream<Path> files = Files.walk(DEPLOY)) {
      return files
          .filter(p -> p.toString().endsWith(".yaml"))
          .filter(p -> !p.getFileName().toString().equals("kustomization.yaml"))
          .sorted()
          .toList();
    }
  }

  @Test
  void everyManifestLoadsAndTheKustomizationListsTheDefaultSet() throws Exception {
    Set<String> listed = new TreeSet<>();
    for (String line : Files.readAllLines(DEPLOY.resolve("kustomization.yaml"))) {
      if (line.startsWith("- ")) {
        listed.add(line.substring(2).trim());
      }
    }
    Set<String> present = new TreeSet<>();
    for (Path p : manifests()) {
      assertThat(load(p)).as(p.toString()).isNotEmpty();
      present.add(DEPLOY.relativize(p).toString());
    }
    assertThat(present).containsAll(listed);
    // Opt-in parts, applied by hand: cluster-wide reading for --watch-scope cluster.
    Set<String> optIn = new HashSet<>(present);
    optIn.removeAll(listed);
    assertThat(optIn).containsExactly("cluster-scope.yaml");
  }

  @Test
  void containersRunCommandsTheCodeAcceptsOnPortsItServes() throws Exception {
    int checked = 0;
    for (Path p : manifests()) {
      List<HasMetadata> objects = load(p);
      Set<String> servicePorts = new HashSet<>();
      for (HasMetadata o : objects) {
        if (o instanceof Service s) {
          for (ServicePort sp : s.getSpec().getPorts()) {
            servicePorts.add(
                String.valueOf(
                    sp.getTargetPort() == null
                        ? sp.getPort()
                        : sp.getTargetPort().getIntVal() != null
                            ? sp.getTargetPort().getIntVal()
                            : sp.getTargetPort().getStrVal()));
          }
        }
      }
      for (HasMetadata o : objects) {
        if (!(o instanceof Deployment d)) {
          continue;
        }
        for (Container c : d.getSpec().getTemplate().getSpec().getContainers()) {
          // Every flag is one the command knows (picocli refuses unknown ones).
          CommandLine.ParseResult parsed =
              new CommandLine(new Mizzen()).parseArgs(c.getArgs().toArray(String[]::new));
          assertThat(parsed.hasSubcommand()).as(p + ": " + c.getArgs()).isTrue();
          CommandLine.ParseResult sub = parsed.subcommand();
          Set<Integer> declared = new HashSet<>();
          for (ContainerPort cp : c.getPorts()) {
            declared.add(cp.getContainerPort());
          }
          if (sub.commandSpec().name().equals("serve")) {
            int xds = sub.matchedOptionValue("--xds-port", 15010);
            int debug = sub.matchedOptionValue("--debug-port", 8080);
            int monitoring = sub.matchedOptionValue("--monitoring-port", 15014);
            assertThat(declared)
                .as(p + " declares the ports serve listens on")
                .contains(debug, monitoring);
            // In a cluster nothing proves a plain-text client's namespace: the port stays closed.
            assertThat(sub.hasMatchedOption("--plaintext-xds")).as(p.toString()).isFalse();
            assertThat(declared).as(p + " exposes no plain-text xDS port").doesNotContain(xds);
            if (sub.hasMatchedOption("--tls-cert")) {
              assertThat(declared).contains(sub.matchedOptionValue("--secure-xds-port", 15012));
            }
            if (sub.hasMatchedOption("--inject") || sub.hasMatchedOption("--validation-webhook")) {
              assertThat(declared).contains(sub.matchedOptionValue("--webhook-port", 15017));
            }
            assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/ready");
            assertThat(c.getReadinessProbe().getHttpGet().getPort().getIntVal()).isEqualTo(debug);
            for (String target : servicePorts) {
              boolean byNumber = target.chars().allMatch(Character::isDigit);
              assertThat(
                      byNumber
                          ? declared.contains(Integer.parseInt(target))
                          : c.getPorts().stream().anyMatch(cp -> target.equals(cp.getName())))
                  .as(p + ": the Service's port " + target + " is a port of the container")
                  .isTrue();
            }
          }
          if (sub.hasMatchedOption("--webhook-cert")) {
            // The webhooks' certificate is the Secret's, mounted where the flag reads it.
            Path cert = sub.matchedOptionValue("--webhook-cert", null);
            VolumeMount mount =
                c.getVolumeMounts().stream()
                    .filter(m -> cert.getParent().equals(Path.of(m.getMountPath())))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError(p + ": " + cert + " is not mounted"));
            Volume volume =
                d.getSpec().getTemplate().getSpec().getVolumes().stream()
                    .filter(v -> v.getName().equals(mount.getName()))
                    .findFirst()
                    .orElseThrow();
            assertThat(volume.getSecret().getSecretName()).isEqualTo("mizzen-webhook-tls");
            if (!volume.getSecret().getItems().isEmpty()) {
              assertThat(volume.getSecret().getItems())
                  .extracting(KeyToPath::getPath)
                  .contains(cert.getFileName().toString());
            }
          }
          checked++;
        }
      }
    }
    assertThat(checked).isGreaterThanOrEqualTo(2);
  }

  @Test
  void onlyMembersAndTheControlPlaneNamespaceReachTheSecurePort() throws Exception {
    NetworkPolicy policy =
        load(DEPLOY.resolve("control-plane.yaml")).stream()
            .filter(NetworkPolicy.class::isInstance)
            .map(NetworkPolicy.class::cast)
            .filter(n -> n.getMetadata().getName().equals("mizzen"))
            .findFirst()
            .orElseThrow();
    assertThat(policy.getSpec().getPodSelector().getMatchLabels()).containsEntry("app", "mizzen");
    List<NetworkPolicyIngressRule> secure =
        policy.getSpec().getIngress().stream()
            .filter(r -> r.getPorts().stream().anyMatch(p -> p.getPort().getIntVal() == 15012))
            .toList();
    assertThat(secure).singleElement();
    assertThat(secure.get(0).getFrom())
        .extracting(
            f ->
                f.getNamespaceSelector() == null
                    ? "this namespace"
                    : f.getNamespaceSelector().getMatchLabels().toString())
        .containsExactlyInAnyOrder("{maistra.io/member-of=istio-system}", "this namespace");
    assertThat(policy.getSpec().getIngress())
        .flatExtracting(r -> r.getPorts())
        .extracting(p -> p.getPort().getIntVal())
        .doesNotContain(15010);
  }

  @Test
  void theContainerfileRunsTheJarTheBuildMakes() throws Exception {
    String containerfile = Files.readString(DEPLOY.resolve("Containerfile"));
    String pilotPom = Files.readString(Path.of("..", "pilot", "pom.xml"));
    assertThat(pilotPom).contains("<finalName>mizzen</finalName>");
    assertThat(containerfile)
        .contains("/src/pilot/target/mizzen.jar")
        .contains("EXPOSE 15012 15014 15017 8080");
    String mainClass =
        pilotPom.substring(pilotPom.indexOf("<mainClass>") + 11, pilotPom.indexOf("</mainClass>"));
    assertThat(mainClass).isEqualTo(Mizzen.class.getName());
    // The training run that writes the class-data-sharing archive passes flags serve accepts.
    String training =
        containerfile
            .substring(containerfile.indexOf("mizzen.jar serve") + "mizzen.jar serve".length())
            .split(">", 2)[0]
            .replace("\\\n", " ");
    String[] args = ("serve " + training.trim()).split("\\s+");
    assertThat(args).contains("--exit-when-ready");
    new picocli.CommandLine(new Mizzen()).parseArgs(args);
    // The archive is written under the settings the entry point maps it with, and the entry point
    // lets MIZZEN_JAVA_OPTS replace them.
    assertThat(containerfile)
        .contains("COPY --from=build /src/deploy/jvm.options /opt/mizzen/jvm.options")
        .contains(
            "RUN java @/opt/mizzen/jvm.options -XX:ArchiveClassesAtExit=/opt/mizzen/mizzen.jsa");
    String entryPoint = containerfile.substring(containerfile.indexOf("ENTRYPOINT"));
    assertThat(entryPoint)
        .contains("-XX:SharedArchiveFile=/opt/mizzen/mizzen.jsa")
        .contains("${MIZZEN_JAVA_OPTS-@/opt/mizzen/jvm.options} -jar /opt/mizzen/mizzen.jar");
  }

  @Test
  void theSmallControlPlanesJvmSettingsStartThisJvm() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p =
        new ProcessBuilder(java.toString(), "@" + DEPLOY.resolve("jvm.options"), "-version")
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as(output).isZero();
  }

  @Test
  void theDeploymentChoosesItsCollectorWhereItReplacesTheImagesSettings() throws Exception {
    // A collector in JAVA_TOOL_OPTIONS beside the image's Serial GC would stop the JVM.
    for (Path file : manifests()) {
      for (HasMetadata o : load(file)) {
        if (!(o instanceof Deployment d)) {
          continue;
        }
        for (Container c : d.getSpec().getTemplate().getSpec().getContainers()) {
          for (var env : c.getEnv() == null ? List.<EnvVar>of() : c.getEnv()) {
            if (env.getName().equals("JAVA_TOOL_OPTIONS")) {
              assertThat(env.getValue())
                  .as(file + " " + c.getName())
                  .doesNotContainPattern("-XX:\\+Use\\w+GC");
            }
          }
        }
      }
    }
    Deployment mizzen =
        load(DEPLOY.resolve("control-plane.yaml")).stream()
            .filter(o -> o instanceof Deployment && o.getMetadata().getName().equals("mizzen"))
            .map(Deployment.class::cast)
            .findFirst()
            .orElseThrow();
    assertThat(mizzen.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
        .anySatisfy(
            e -> {
              assertThat(e.getName()).isEqualTo("MIZZEN_JAVA_OPTS");
              assertThat(e.getValue()).contains("-XX:+UseG1GC");
            });
  }
}
