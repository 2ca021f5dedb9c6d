package dev.mizzen.openshift.ior;

import dev.mizzen.tenancy.events.Events;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells people what IOR made of each Gateway: an event on the Gateway ({@code oc describe gateway}
 * shows it) and a log line, each time the outcome changes. Events rather than the Gateway's status,
 * because writing the status would change the Gateway's resource version, which the Routes record,
 * and other controllers own parts of that status.
 */
final class GatewayEvents {
  private static final Logger log = LoggerFactory.getLogger(IorController.class);
  static final String COMPONENT = "mizzen-ior";

  private final KubernetesClient client;
  private final String identity;
  private final Clock clock;

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
      client
          .v1()
          .events()
          .inNamespace(plan.gatewayNamespace())
          .resource(event(gateway, plan, reason, message))
          .create();
      reported.put(plan.gatewayKey(), outcome);
    } catch (KubernetesClientException e) {
      log.warn(
          "event on Gateway {} not written, retrying with the next change: {}",
          plan.gatewayKey(),
          e.getMessage());
    }
  }

  /** Forgets the Gateways that are gone, so that one made again is reported again. */
  void retain(Set<String> gatewayKeys) {
    reported.keySet().retainAll(gatewayKeys);
  }

  void forgetAll() {
    reported.clear();
  }

  private Event event(GenericKubernetesResource gateway, Plan plan, String reason, String message) {
    ObjectReference about =
        new ObjectReferenceBuilder()
            .withApiVersion(gateway.getApiVersion())
            .withKind("Gateway")
            .withNamespace(plan.gatewayNamespace())
            .withName(gateway.getMetadata().getName())
            .withUid(gateway.getMetadata().getUid())
            .withResourceVersion(gateway.getMetadata().getResourceVersion())
            .build();
    return Events.on(
        about,
        plan.warns() ? "Warning" : "Normal",
        reason,
        message,
        COMPONENT,
        identity,
        clock.instant());
  }
}
