package dev.mizzen.openshift.ior;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ExceptionHandler;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.openshift.api.model.Route;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What IOR watches in one member namespace: Gateways, the Services and pods among which it looks
 * for a gateway's Service, and the Routes it made there. Never across namespaces.
 */
final class NamespaceWatch {
  private static final Logger log = LoggerFactory.getLogger(IorController.class);

  final String namespace;
  final SharedIndexInformer<GenericKubernetesResource> gateways;
  final SharedIndexInformer<Service> services;
  final SharedIndexInformer<Pod> pods;
  final SharedIndexInformer<Route> routes;

  /** When the informers were started, by {@link System#nanoTime()}. */
  final long startedAt = System.nanoTime();

  private final CompletableFuture<Void> synced;

  private NamespaceWatch(
      KubernetesClient client,
      String namespace,
      ResourceDefinitionContext gatewayKind,
      Runnable changed) {
    this.namespace = namespace;
    gateways =
        client.genericKubernetesResources(gatewayKind).inNamespace(namespace).runnableInformer(0);
    services = client.services().inNamespace(namespace).runnableInformer(0);
    pods = client.pods().inNamespace(namespace).runnableInformer(0);
    routes =
        client
            .resources(Route.class)
            .inNamespace(namespace)
            .withLabel(RoutePlanner.GENERATED_BY, RoutePlanner.GENERATED_BY_IOR)
            .runnableInformer(0);
    gateways.addEventHandler(handler(changed, false));
    services.addEventHandler(handler(changed, false));
    // Pods change status all the time; only their labels, or their coming and going, matter here.
    pods.addEventHandler(handler(changed, true));
    routes.addEventHandler(handler(changed, false));
    List<SharedIndexInformer<?>> all = List.of(gateways, services, pods, routes);
    all.forEach(i -> i.exceptionHandler(retrying(namespace)));
    synced =
        CompletableFuture.allOf(
            all.stream()
                .map(i -> i.start().toCompletableFuture())
                .toArray(CompletableFuture[]::new));
  }

  /**
   * Starts watching {@code namespace}; {@code changed} runs on every change, and once all have
   * listed.
   */
  static NamespaceWatch start(
      KubernetesClient client,
      String namespace,
      ResourceDefinitionContext gatewayKind,
      Runnable changed) {
    NamespaceWatch w = new NamespaceWatch(client, namespace, gatewayKind, changed);
    w.synced.thenRun(changed);
    return w;
  }

  boolean hasSynced() {
    return synced.isDone() && !synced.isCompletedExceptionally();
  }

  void stop() {
    List.of(gateways, services, pods, routes).forEach(SharedIndexInformer::stop);
  }

  private static <T extends HasMetadata> ResourceEventHandler<T> handler(
      Runnable changed, boolean labelsOnly) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        changed.run();
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        if (!labelsOnly
            || !Objects.equals(
                oldObj.getMetadata().getLabels(), newObj.getMetadata().getLabels())) {
          changed.run();
        }
      }

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {
        changed.run();
      }
    };
  }

  /** Keeps listing and watching whatever goes wrong, saying why, as the config source does. */
  private static ExceptionHandler retrying(String namespace) {
    return (started, t) -> {
      if (ExceptionHandler.isDeserializationException(t)) {
        log.error(
            "IOR cannot read what it watches in {}; no longer watching it: {}",
            namespace,
            t.toString());
        return false;
      }
      log.warn("IOR: listing or watching in {} failed, retrying: {}", namespace, t.getMessage());
      return true;
    };
  }
}
