package dev.mizzen.tests;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The arrows of docs/architecture.md, enforced: modules and pilot's packages depend only on what is
 * below them. Maven already refuses a module that uses one it does not depend on; this also catches
 * an arrow that runs back up between the packages of one module, and says which.
 */
class ArchitectureTest {
  private static JavaClasses classes;

  @BeforeAll
  static void importMizzen() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            // The other modules' test jars (openshift's webhook harness).
            .withImportOption(location -> !location.contains("-tests.jar"))
            .importPackages("dev.mizzen");
  }

  @Test
  void modulesDependOnlyOnTheModulesBelowThem() {
    layeredArchitecture()
        .consideringOnlyDependenciesInAnyPackage("dev.mizzen..")
        .layer("proto")
        .definedBy("dev.mizzen.proto..", "dev.mizzen.envoyrules..")
        .layer("ca")
        .definedBy("dev.mizzen.ca..")
        .layer("ingest")
        .definedBy("dev.mizzen.ingest..")
        .layer("tenancy")
        .definedBy("dev.mizzen.tenancy..")
        .layer("authz")
        .definedBy("dev.mizzen.authz..")
        .layer("openshift")
        .definedBy("dev.mizzen.openshift..")
        .layer("pilot")
        .definedBy("dev.mizzen.pilot..")
        .layer("bench")
        .definedBy("dev.mizzen.bench..")
        .layer("testing")
        .definedBy("dev.mizzen.testing..")
        .whereLayer("testing")
        .mayNotBeAccessedByAnyLayer()
        .whereLayer("bench")
        .mayNotBeAccessedByAnyLayer()
        .whereLayer("pilot")
        .mayOnlyBeAccessedByLayers("bench")
        .whereLayer("openshift")
        .mayOnlyBeAccessedByLayers("pilot", "bench")
        .whereLayer("authz")
        .mayOnlyBeAccessedByLayers("pilot", "bench")
        .whereLayer("tenancy")
        .mayOnlyBeAccessedByLayers("openshift", "pilot", "bench")
        .whereLayer("ingest")
        .mayOnlyBeAccessedByLayers("tenancy", "authz", "openshift", "pilot", "bench")
        .whereLayer("ca")
        .mayOnlyBeAccessedByLayers("pilot", "bench")
        .check(classes);
  }

  @Test
  void authorizationKnowsNothingOfHowConfigArrived() {
    noClasses()
        .that()
        .resideInAPackage("dev.mizzen.authz..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.mizzen.ingest.file..",
            "dev.mizzen.ingest.kube..",
            "dev.mizzen.ingest.store..",
            "dev.mizzen.ingest.debounce..")
        .check(classes);
  }

  @Test
  void configIngestKnowsNothingOfEnvoy() {
    noClasses()
        .that()
        .resideInAPackage("dev.mizzen.ingest..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.envoyproxy..", "io.grpc..")
        .check(classes);
  }

  /**
   * Pilot's packages, top to bottom: the command, the application that wires and runs everything,
   * the debug endpoints (which read the push pipeline), the push pipeline, metrics, the analysis of
   * a push's config; then side by side the xDS server, which serves what it is given, and the
   * generators, which know no stream; the cache of snapshots both use; the push context; the proxy
   * model.
   */
  @Test
  void pilotsPackagesDependOnlyOnThePackagesBelowThem() {
    layeredArchitecture()
        .consideringOnlyDependenciesInAnyPackage("dev.mizzen.pilot..")
        .layer("cmd")
        .definedBy("dev.mizzen.pilot.cmd..")
        .layer("app")
        .definedBy("dev.mizzen.pilot.app..")
        .layer("debug")
        .definedBy("dev.mizzen.pilot.debug..")
        .layer("control")
        .definedBy("dev.mizzen.pilot.control..")
        .layer("metrics")
        .definedBy("dev.mizzen.pilot.metrics..")
        .layer("analysis")
        .definedBy("dev.mizzen.pilot.analysis..")
        .layer("xds")
        .definedBy("dev.mizzen.pilot.xds..")
        .layer("generate")
        .definedBy("dev.mizzen.pilot.generate..")
        .layer("cache")
        .definedBy("dev.mizzen.pilot.cache..")
        .layer("push")
        .definedBy("dev.mizzen.pilot.push..")
        .layer("proxy")
        .definedBy("dev.mizzen.pilot.proxy..")
        .whereLayer("cmd")
        .mayNotBeAccessedByAnyLayer()
        .whereLayer("app")
        .mayOnlyBeAccessedByLayers("cmd")
        .whereLayer("debug")
        .mayOnlyBeAccessedByLayers("cmd", "app")
        .whereLayer("control")
        .mayOnlyBeAccessedByLayers("cmd", "app", "debug")
        .whereLayer("metrics")
        .mayOnlyBeAccessedByLayers("cmd", "app", "debug", "control")
        .whereLayer("analysis")
        .mayOnlyBeAccessedByLayers("cmd", "app", "debug", "control", "metrics")
        .whereLayer("xds")
        .mayOnlyBeAccessedByLayers("cmd", "app", "debug", "control", "metrics")
        .whereLayer("generate")
        .mayOnlyBeAccessedByLayers("cmd", "app", "debug", "control", "metrics")
        .whereLayer("cache")
        .mayOnlyBeAccessedByLayers("cmd", "app", "debug", "control", "metrics", "xds", "generate")
        .whereLayer("push")
        .mayOnlyBeAccessedByLayers(
            "cmd", "app", "debug", "control", "metrics", "analysis", "xds", "generate")
        .whereLayer("proxy")
        .mayOnlyBeAccessedByLayers(
            "cmd", "app", "debug", "control", "metrics", "analysis", "xds", "generate", "push")
        .check(classes);
  }

  @Test
  void theCacheKnowsNoTransport() {
    noClasses()
        .that()
        .resideInAPackage("dev.mizzen.pilot.cache..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.grpc..", "dev.mizzen.pilot.xds..")
        .check(classes);
  }
}
