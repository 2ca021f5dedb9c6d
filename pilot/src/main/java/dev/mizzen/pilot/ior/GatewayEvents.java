package dev.mizzen.pilot.ior;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells people what IOR made of each Gateway: an event on the Gateway ({@code oc describe gateway}
 * shows it) and a log line, each time the outcome changes. Events rather than the Gateway's
 * status, because writing the status would change the Gateway's resource version, which the
 * Routes record, and other controllers own parts of that status.
 */
final class GatewayEvents {
  private static final Logger log = LoggerFactory.getLogger(IorController.class);
  static final String COMPONENT = "mizzen-ior";
  /** The API server refuses longer event messages. */
  private static final int MAX_MESSAGE = 1024;

  private final KubernetesClient client;
  private final String identity;
  private final Clock clock;
  private final AtomicLong sequence = new AtomicLong(System.nanoTime());
  /** The last outcome reported per Gateway, so that an unchanged one is not reported again. */
  private final Map<String, String> reported = new HashMap<>();

  GatewayEvents(KubernetesClient client, String identity, Clock clock) {
    this.client = client;
    this.identity = identity;
    this.clock = clock;
  }

  static String reason(Plan plan) {
    return switch (plan.disposition()) {
      case MIRRORED -> plan.warns() ? "RoutesMirroredWithWarnings" : "RoutesMirrored";
      case LEFT_ALONE -> "RoutesNotManaged";
      case HELD -> "RoutesHeld";
    };
  }

  /** Reports {@code plan} for {@code gateway} unless it was the last thing reported for it. */
  void report(GenericKubernetesResource gateway, Plan plan) {
    String reason = reason(plan);
    String message = plan.summary();
    String outcome = reason + "\n" + message;
    if (outcome.equals(reported.get(plan.gatewayKey()))) {
      return;
    }
    if (plan.warns()) {
      log.warn("Gateway {}: {}", plan.gatewayKey(), message);
    } else {
      log.info("Gateway {}: {}", plan.gatewayKey(), message);
    }
    try {
      client.v1().events().inNamespace(plan.gatewayNamespace()).resource(event(gateway, plan, reason, message)).create();
      reported.put(plan.gatewayKey(), outcome);
    } catch (KubernetesClientException e) {
      log.warn("event on Gateway {} not written, retrying with the next change: {}", plan.gatewayKey(), e.getMessage());
    }
  }

  /** Forgets the Gateways that are gone, so that one made again is reported again. */
  void retain(java.util.Set<String> gatewayKeys) {
    reported.keySet().retainAll(gatewayKeys);
  }

  void forgetAll() {
    reported.clear();
  }

  private Event event(GenericKubernetesResource gateway, Plan plan, String reason, String message) {
    String now = DateTimeFormatter.ISO_INSTANT.format(clock.instant().truncatedTo(ChronoUnit.SECONDS));
    String name = gateway.getMetadata().getName();
    String suffix = "." + Long.toHexString(sequence.incrementAndGet());
    String eventName = name.substring(0, Math.min(name.length(), 253 - suffix.length())) + suffix;
    return new EventBuilder()
        .withNewMetadata()
        .withName(eventName)
        .withNamespace(plan.gatewayNamespace())
        .endMetadata()
        .withNewInvolvedObject()
        .withApiVersion(gateway.getApiVersion())
        .withKind("Gateway")
        .withNamespace(plan.gatewayNamespace())
        .withName(name)
        .withUid(gateway.getMetadata().getUid())
        .withResourceVersion(gateway.getMetadata().getResourceVersion())
        .endInvolvedObject()
        .withType(plan.warns() ? "Warning" : "Normal")
        .withReason(reason)
        .withMessage(message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE - 3) + "..." : message)
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
}
