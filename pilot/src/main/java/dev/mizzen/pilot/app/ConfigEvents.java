package dev.mizzen.pilot.app;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.common.util.concurrent.ThreadFactoryBuilder;
import dev.mizzen.ingest.model.ConfigError;
import dev.mizzen.ingest.model.Kind;
import dev.mizzen.ingest.model.ObjectRef;
import dev.mizzen.pilot.control.PushStatus;
import dev.mizzen.pilot.control.Rejections;
import dev.mizzen.tenancy.events.Events;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * In a cluster, puts what went wrong with a config object on the object as a Warning event ({@code
 * oc describe virtualservice ...} shows it): reason {@code Refused} with the field and the reason
 * when Mizzen left the object out, {@code ServedFailClosed} for an authorization policy served with
 * errors, and {@code ProxyRejected} with the proxy, the type, the version and the proxy's words
 * when proxies refused what it produced. The same thing is reported once (again after ten minutes
 * if it still stands), and a group of proxies refusing the same version makes one event per object,
 * not one per proxy. Events are written off the push and xDS threads; a failed write is logged,
 * never retried in a loop. Needs {@code create} on events in the member namespaces ({@code
 * deploy/control-plane.yaml}).
 */
final class ConfigEvents implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ConfigEvents.class);
  static final String PROXY_REJECTED = "ProxyRejected";
  static final String REFUSED = "Refused";
  static final String FAIL_CLOSED = "ServedFailClosed";
  static final String COMPONENT = "mizzen";

  private final KubernetesClient client;
  private final String identity;
  private final Clock clock;

  /** What was reported lately, so that a thousand proxies of one shape make one event. */
  private final Cache<String, Boolean> reported =
      Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(Duration.ofMinutes(10)).build();

  private final ExecutorService writer =
      Executors.newSingleThreadExecutor(
          new ThreadFactoryBuilder().setNameFormat("mizzen-config-events").setDaemon(true).build());

  ConfigEvents(KubernetesClient client, String identity, Clock clock) {
    this.client = client;
    this.identity = identity;
    this.clock = clock;
  }

  /** Reports {@code r} on each object it names, unless that was just done. */
  void report(Rejections.Rejection r) {
    for (ObjectRef ref : r.objects()) {
      if (!ref.kind().namespaced()) {
        continue;
      }
      String key = ref + "\n" + r.type() + "\n" + r.version() + "\n" + r.error();
      if (reported.asMap().putIfAbsent(key, Boolean.TRUE) != null) {
        continue;
      }
      try {
        writer.execute(() -> write(ref, r));
      } catch (RejectedExecutionException e) {
        return;
      }
    }
  }

  /** Reports the objects a push left out or served fail closed, each once. */
  void report(PushStatus push) {
    push.refused().forEach(e -> report(e, REFUSED));
    push.push().authz().errors().forEach(e -> report(e, FAIL_CLOSED));
  }

  private void report(ConfigError error, String reason) {
    if (error.namespace().isEmpty() || error.name().isEmpty()) {
      return;
    }
    Optional<Kind<?>> kind = Kind.byName(error.kind());
    if (kind.isEmpty() || !kind.get().namespaced()) {
      return;
    }
    ObjectRef ref = new ObjectRef(kind.get(), error.namespace(), error.name());
    String message =
        error.field().isEmpty() ? error.reason() : error.field() + ": " + error.reason();
    if (reported.asMap().putIfAbsent(ref + "\n" + reason + "\n" + message, Boolean.TRUE) != null) {
      return;
    }
    try {
      writer.execute(() -> write(ref, reason, message));
    } catch (RejectedExecutionException e) {
      // closing
    }
  }

  private void write(ObjectRef ref, Rejections.Rejection r) {
    write(
        ref,
        PROXY_REJECTED,
        "proxy %s refused %s version %s: %s"
            .formatted(r.proxy(), r.type(), r.version(), r.error()));
  }

  private void write(ObjectRef ref, String reason, String message) {
    try {
      client
          .v1()
          .events()
          .inNamespace(ref.namespace())
          .resource(event(ref, reason, message))
          .create();
    } catch (KubernetesClientException e) {
      log.warn("event on {} not written: {}", ref, e.getMessage());
    }
  }

  Event event(ObjectRef ref, String reason, String message) {
    String version = ref.kind().versions().get(0);
    ObjectReference about =
        new ObjectReferenceBuilder()
            .withApiVersion(
                ref.kind().group().isEmpty() ? version : ref.kind().group() + "/" + version)
            .withKind(ref.kind().name())
            .withNamespace(ref.namespace())
            .withName(ref.name())
            .build();
    return Events.on(about, "Warning", reason, message, COMPONENT, identity, clock.instant());
  }

  @Override
  public void close() {
    writer.shutdownNow();
  }
}
