package dev.mizzen.tenancy.events;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReference;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.AtomicLong;

/** Kubernetes events as Mizzen writes them on the objects they are about. */
public final class Events {
  /** The API server refuses longer event messages. */
  static final int MAX_MESSAGE = 1024;

  private static final AtomicLong SEQUENCE = new AtomicLong(System.nanoTime());

  private Events() {}

  /**
   * An event on {@code about}, in its namespace, named after it with a unique suffix.
   *
   * @param type {@code Normal} or {@code Warning}
   * @param component what reports it (the event's source and reporting component)
   * @param instance this replica
   */
  public static Event on(
      ObjectReference about,
      String type,
      String reason,
      String message,
      String component,
      String instance,
      Instant at) {
    String now = DateTimeFormatter.ISO_INSTANT.format(at.truncatedTo(ChronoUnit.SECONDS));
    String name = about.getName();
    String suffix = "." + Long.toHexString(SEQUENCE.incrementAndGet());
    return new EventBuilder()
        .withNewMetadata()
        .withName(name.substring(0, Math.min(name.length(), 253 - suffix.length())) + suffix)
        .withNamespace(about.getNamespace())
        .endMetadata()
        .withInvolvedObject(about)
        .withType(type)
        .withReason(reason)
        .withMessage(
            message.length() > MAX_MESSAGE
                ? message.substring(0, MAX_MESSAGE - 3) + "..."
                : message)
        .withNewSource()
        .withComponent(component)
        .endSource()
        .withReportingComponent(component)
        .withReportingInstance(instance)
        .withFirstTimestamp(now)
        .withLastTimestamp(now)
        .withCount(1)
        .build();
  }
}
