package dev.mizzen.ingest.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mizzen.ingest.model.Kind;
import dev.mizzen.ingest.parse.ObjectTranslator;
import dev.mizzen.ingest.parse.ParseResult;
import dev.mizzen.ingest.store.ConfigStore;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries informer events into the {@link ConfigStore}, one store key per object, through the same
 * {@link ObjectTranslator} as every other source. Only objects of admitted namespaces pass: with
 * cluster-wide informers this is where other tenants' objects stop, and with per-namespace
 * informers it stops the late events of a namespace that has just left.
 */
final class ObjectFeed {
  private static final Logger log = LoggerFactory.getLogger(ObjectFeed.class);
  static final String ORIGIN = "kubernetes";
  private static final String PREFIX = "kube:";

  private final ConfigStore store;
  private final KubernetesSerialization serialization;
  private final ObjectTranslator translator = new ObjectTranslator();
  private volatile Set<String> admitted = Set.of();
  private volatile BiConsumer<String, String> events = (kind, event) -> {};

  ObjectFeed(ConfigStore store, KubernetesSerialization serialization) {
    this.store = store;
    this.serialization = serialization;
  }

  static String key(String namespace, String kind, String name) {
    return PREFIX + namespace + "/" + kind + "/" + name;
  }

  void admit(Set<String> namespaces) {
    admitted = Set.copyOf(namespaces);
  }

  boolean admits(String namespace) {
    return admitted.contains(namespace);
  }

  /** Tells {@code listener} of each informer event of a member's object: its kind and the event. */
  void countEvents(BiConsumer<String, String> listener) {
    this.events = listener;
  }

  private void told(WatchedKind kind, GenericKubernetesResource obj, String event) {
    if (admits(Objects.requireNonNullElse(obj.getMetadata().getNamespace(), ""))) {
      events.accept(kind.kindName(), event);
    }
  }

  /** The informer handler for objects of {@code kind}. */
  ResourceEventHandler<GenericKubernetesResource> handler(WatchedKind kind) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(GenericKubernetesResource obj) {
        told(kind, obj, "add");
        apply(kind, obj);
      }

      @Override
      public void onUpdate(GenericKubernetesResource oldObj, GenericKubernetesResource newObj) {
        told(kind, newObj, "update");
        apply(kind, newObj);
      }

      @Override
      public void onDelete(GenericKubernetesResource obj, boolean deletedFinalStateUnknown) {
        told(kind, obj, "delete");
        delete(kind, obj);
      }
    };
  }

  /** Translates one object and puts the outcome (accepted or refused) under its key. */
  void apply(WatchedKind kind, GenericKubernetesResource obj) {
    if (Kind.byName(kind.kindName()).isEmpty()) {
      log.debug(
          "ignored {} {}: this version of Mizzen does not read {}",
          kind.kindName(),
          obj.getMetadata().getName(),
          kind);
      return;
    }
    String namespace = Objects.requireNonNullElse(obj.getMetadata().getNamespace(), "");
    if (!admits(namespace)) {
      log.debug(
          "ignored {} {}/{}: namespace is not a member",
          kind.kindName(),
          namespace,
          obj.getMetadata().getName());
      return;
    }
    store.replace(
        key(namespace, kind.kindName(), obj.getMetadata().getName()),
        List.of(translate(kind, obj)));
  }

  ParseResult translate(WatchedKind kind, GenericKubernetesResource obj) {
    JsonNode json = serialization.convertValue(obj, JsonNode.class);
    if (json instanceof ObjectNode o) {
      // Items of a list response carry no kind or apiVersion; the informer knows them.
      if (!o.hasNonNull("kind")) {
        o.put("kind", kind.kindName());
      }
      if (!o.hasNonNull("apiVersion")) {
        o.put("apiVersion", kind.apiVersion());
      }
    }
    return translator.translate(ORIGIN, json);
  }

  void delete(WatchedKind kind, GenericKubernetesResource obj) {
    String namespace = Objects.requireNonNullElse(obj.getMetadata().getNamespace(), "");
    if (!admits(namespace)) {
      return;
    }
    store.remove(key(namespace, kind.kindName(), obj.getMetadata().getName()));
  }

  /** Removes everything read from {@code namespace}: it left the member roll. */
  int drain(String namespace) {
    String prefix = PREFIX + namespace + "/";
    int removed = 0;
    for (String key : store.keys()) {
      if (key.startsWith(prefix)) {
        store.remove(key);
        removed++;
      }
    }
    return removed;
  }
}
