package dev.mizzen.ingest.kube;

import dev.mizzen.ingest.model.SecretRef;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ExceptionHandler;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Secrets that config names by {@code credentialName}, each watched by its name alone (a list
 * and watch with the field selector {@code metadata.name}), never by listing a namespace's or the
 * cluster's Secrets, and only in member namespaces. Which Secrets are watched follows what the
 * served config names ({@link #want}); a watch no longer wanted is stopped. What each Secret holds
 * is kept as the API server sent it (its {@code data}, base64), so that equal contents compare
 * equal.
 */
public final class SecretWatches implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SecretWatches.class);

  private final KubernetesClient client;
  private final Predicate<String> member;
  private final Consumer<Set<SecretRef>> changed;
  private final Map<SecretRef, SharedIndexInformer<Secret>> informers = new HashMap<>();
  private volatile Map<SecretRef, Map<String, String>> current = Map.of();
  private boolean closed;

  /**
   * @param member whether a namespace is a member now: Secrets of other namespaces are never
   *     watched
   * @param changed told, on an informer thread, which Secrets appeared, changed or went away
   */
  public SecretWatches(
      KubernetesClient client, Predicate<String> member, Consumer<Set<SecretRef>> changed) {
    this.client = client;
    this.member = member;
    this.changed = changed;
  }

  /** What the watched Secrets hold now: data by key, base64 as sent; absent Secrets are missing. */
  public Map<SecretRef, Map<String, String>> current() {
    return current;
  }

  /** The Secrets watched now. */
  public synchronized Set<SecretRef> watched() {
    return Set.copyOf(informers.keySet());
  }

  /**
   * Watches exactly {@code wanted} (those of member namespaces): starts watches for the new ones,
   * stops those no longer wanted and forgets what they held.
   */
  public synchronized void want(Collection<SecretRef> wanted) {
    if (closed) {
      return;
    }
    Set<SecretRef> keep =
        Set.copyOf(wanted.stream().filter(r -> member.test(r.namespace())).toList());
    var it = informers.entrySet().iterator();
    while (it.hasNext()) {
      var e = it.next();
      if (!keep.contains(e.getKey())) {
        e.getValue().stop();
        it.remove();
        forget(e.getKey());
        log.debug("no longer watching Secret {}", e.getKey());
      }
    }
    for (SecretRef ref : keep) {
      if (!informers.containsKey(ref)) {
        informers.put(ref, start(ref));
        log.debug("watching Secret {}", ref);
      }
    }
  }

  private SharedIndexInformer<Secret> start(SecretRef ref) {
    SharedIndexInformer<Secret> informer =
        client.secrets().inNamespace(ref.namespace()).withName(ref.name()).runnableInformer(0);
    informer.addEventHandler(
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(Secret s) {
            update(ref, s);
          }

          @Override
          public void onUpdate(Secret before, Secret now) {
            update(ref, now);
          }

          @Override
          public void onDelete(Secret s, boolean finalStateUnknown) {
            update(ref, null);
          }
        });
    informer.exceptionHandler(
        (started, t) -> {
          if (ExceptionHandler.isDeserializationException(t)) {
            log.error("cannot read Secret {}; no longer watching it: {}", ref, t.toString());
            return false;
          }
          log.warn("listing or watching Secret {} failed, retrying: {}", ref, t.getMessage());
          return true;
        });
    informer.start();
    return informer;
  }

  private void update(SecretRef ref, Secret secret) {
    synchronized (this) {
      if (!informers.containsKey(ref)) {
        return;
      }
      Map<String, String> data =
          secret == null
              ? null
              : Map.copyOf(secret.getData() == null ? Map.of() : new TreeMap<>(secret.getData()));
      Map<String, String> before = current.get(ref);
      if (data == null ? before == null : data.equals(before)) {
        return;
      }
      Map<SecretRef, Map<String, String>> next = new HashMap<>(current);
      if (data == null) {
        next.remove(ref);
      } else {
        next.put(ref, data);
      }
      current = Map.copyOf(next);
    }
    log.info("Secret {} {}", ref, secret == null ? "is gone" : "changed");
    changed.accept(Set.of(ref));
  }

  private void forget(SecretRef ref) {
    if (current.containsKey(ref)) {
      Map<SecretRef, Map<String, String>> next = new HashMap<>(current);
      next.remove(ref);
      current = Map.copyOf(next);
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    informers.values().forEach(SharedIndexInformer::stop);
    informers.clear();
    current = Map.of();
  }
}
