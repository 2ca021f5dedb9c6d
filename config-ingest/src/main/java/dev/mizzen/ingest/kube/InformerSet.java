package dev.mizzen.ingest.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.FilterWatchListDeletable;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.informers.ExceptionHandler;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The informers of one scope (a namespace, or the whole cluster), one per kind, started together
 * and stopped together. They share the client's HTTP client, so they share its connections.
 */
final class InformerSet {
  private static final Logger log = LoggerFactory.getLogger(InformerSet.class);

  private final String scope;
  private final List<Watched> informers;
  private final CompletableFuture<Void> synced;

  /** One kind's informer. */
  record Watched(WatchedKind kind, SharedIndexInformer<GenericKubernetesResource> informer) {}

  private InformerSet(String scope, List<Watched> informers) {
    this.scope = scope;
    this.informers = List.copyOf(informers);
    this.synced =
        CompletableFuture.allOf(
            informers.stream()
                .map(w -> w.informer().start().toCompletableFuture())
                .toArray(CompletableFuture[]::new));
  }

  /** Informers for every kind in {@code namespace}. */
  static InformerSet namespace(
      KubernetesClient client, String namespace, List<WatchedKind> kinds, ObjectFeed feed) {
    return start(
        namespace,
        kinds,
        k -> client.genericKubernetesResources(k.context()).inNamespace(namespace),
        feed);
  }

  /** One informer per kind across all namespaces; {@link ObjectFeed} filters by member. */
  static InformerSet cluster(KubernetesClient client, List<WatchedKind> kinds, ObjectFeed feed) {
    return start(
        "all namespaces",
        kinds,
        k -> client.genericKubernetesResources(k.context()).inAnyNamespace(),
        feed);
  }

  /** One informer for the object {@code name} of {@code kind} in {@code namespace}. */
  static InformerSet single(
      KubernetesClient client,
      String namespace,
      WatchedKind kind,
      String name,
      ResourceEventHandler<GenericKubernetesResource> handler) {
    Resource<GenericKubernetesResource> r =
        client.genericKubernetesResources(kind.context()).inNamespace(namespace).withName(name);
    SharedIndexInformer<GenericKubernetesResource> informer = r.runnableInformer(0);
    informer.addEventHandler(handler);
    informer.exceptionHandler(retrying(namespace, kind));
    return new InformerSet(namespace + "/" + name, List.of(new Watched(kind, informer)));
  }

  private static InformerSet start(
      String scope,
      List<WatchedKind> kinds,
      Function<WatchedKind, FilterWatchListDeletable<GenericKubernetesResource, ?, ?>> op,
      ObjectFeed feed) {
    List<Watched> informers = new ArrayList<>();
    for (WatchedKind kind : kinds) {
      SharedIndexInformer<GenericKubernetesResource> informer = op.apply(kind).runnableInformer(0);
      informer.addEventHandler(feed.handler(kind));
      informer.exceptionHandler(retrying(scope, kind));
      informers.add(new Watched(kind, informer));
    }
    return new InformerSet(scope, informers);
  }

  /**
   * Keeps listing and watching whatever goes wrong (an API server restarting, a CRD not installed
   * yet, a RoleBinding not copied yet), saying why, instead of giving up as fabric8 does by default
   * before the first successful list.
   */
  private static ExceptionHandler retrying(String scope, WatchedKind kind) {
    return (started, t) -> {
      if (ExceptionHandler.isDeserializationException(t)) {
        log.error("cannot read {} in {}; no longer watching them: {}", kind, scope, t.toString());
        return false;
      }
      log.warn("listing or watching {} in {} failed, retrying: {}", kind, scope, t.getMessage());
      return true;
    };
  }

  String scope() {
    return scope;
  }

  List<Watched> informers() {
    return informers;
  }

  /** Completes once every informer has listed its kind once. */
  CompletableFuture<Void> synced() {
    return synced;
  }

  boolean hasSynced() {
    return informers.stream().allMatch(w -> w.informer().hasSynced());
  }

  void stop() {
    informers.forEach(w -> w.informer().stop());
  }
}
