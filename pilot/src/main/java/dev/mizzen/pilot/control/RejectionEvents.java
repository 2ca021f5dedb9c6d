package dev.mizzen.pilot.control;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.mizzen.ingest.model.ObjectRef;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
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
  /** The API server refuses longer event messages. */
  private static final int MAX_MESSAGE = 1024;

  private final KubernetesClient client;
  private final String identity;
  private final Clock clock;
  private final AtomicLong sequence = new AtomicLong(System.nanoTime());
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
    String message =
        "proxy %s refused %s version %s: %s".formatted(r.proxy(), r.type(), r.version(), r.error());
    if (message.length() > MAX_MESSAGE) {
      message = message.substring(0, MAX_MESSAGE - 3) + "...";
    }
    String now = DateTimeFormatter.ISO_INSTANT.format(clock.instant().truncatedTo(ChronoUnit.SECONDS));
    String version = ref.kind().versions().get(0);
    return new EventBuilder()
        .withNewMetadata()
        .withName(ref.name() + "." + Long.toHexString(sequence.incrementAndGet()))
        .withNamespace(ref.namespace())
        .endMetadata()
        .withNewInvolvedObject()
        .withApiVersion(ref.kind().group().isEmpty() ? version : ref.kind().group() + "/" + version)
        .withKind(ref.kind().name())
        .withName(ref.name())
        .withNamespace(ref.namespace())
        .endInvolvedObject()
        .withType("Warning")
        .withReason(REASON)
        .withMessage(message)
        .withNewSource()
        .withComponent(COMPONENT)
        .endSource()
        .withReportingComponent(COMPONENT)
        .withReportingInstance(identity)
        .withFirstTimestamp(now)
        .withLastTimestamp(now)
        .withCount(1)
        .build();
  }

  @Override
  public void close() {
    writer.shutdownNow();
  }
}
