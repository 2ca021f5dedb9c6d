package dev.mizzen.pilot.control;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.mizzen.ingest.model.ObjectRef;
import dev.mizzen.pilot.kube.Events;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * In a cluster, puts each refusal by a proxy on the config objects it came from as a Warning
 * event ({@code oc describe virtualservice ...} shows it, as it shows istiod's analysis): reason
 * {@code ProxyRejected}, the proxy, the type, the version and the proxy's words. A group of
 * proxies refusing the same version of the same thing makes one event per object, not one per
 * proxy; events are written off the xDS threads, and a failed write is logged, never retried in a
 * loop. Needs {@code create} on events in the member namespaces ({@code deploy/control-plane.yaml}).
 */
final class RejectionEvents implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RejectionEvents.class);
  static final String REASON = "ProxyRejected";
  static final String COMPONENT = "mizzen";

  private final KubernetesClient client;
  private final String identity;
  private final Clock clock;
  /** What was reported lately, so that a thousand proxies of one shape make one event. */
  private final Cache<String, Boolean> reported =
      Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(Duration.ofMinutes(10)).build();
  private final ExecutorService writer =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "mizzen-rejection-events");
            t.setDaemon(true);
            return t;
          });

  RejectionEvents(KubernetesClient client, String identity, Clock clock) {
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

  private void write(ObjectRef ref, Rejections.Rejection r) {
    try {
      client.v1().events().inNamespace(ref.namespace()).resource(event(ref, r)).create();
    } catch (KubernetesClientException e) {
      log.warn("event on {} not written: {}", ref, e.getMessage());
    }
  }

  Event event(ObjectRef ref, Rejections.Rejection r) {
    String version = ref.kind().versions().get(0);
    ObjectReference about =
        new ObjectReferenceBuilder()
            .withApiVersion(ref.kind().group().isEmpty() ? version : ref.kind().group() + "/" + version)
            .withKind(ref.kind().name())
            .withNamespace(ref.namespace())
            .withName(ref.name())
            .build();
    String message = "proxy %s refused %s version %s: %s".formatted(r.proxy(), r.type(), r.version(), r.error());
    return Events.on(about, "Warning", REASON, message, COMPONENT, identity, clock.instant());
  }

  @Override
  public void close() {
    writer.shutdownNow();
  }
}
