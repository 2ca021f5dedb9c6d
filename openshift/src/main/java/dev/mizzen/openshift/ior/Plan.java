package dev.mizzen.openshift.ior;

import io.fabric8.openshift.api.model.Route;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * What IOR makes of one Gateway.
 *
 * @param gatewayNamespace the Gateway's namespace
 * @param gatewayName its name
 * @param disposition what happens to its Routes
 * @param routes the Routes it should have (only when {@link Disposition#MIRRORED})
 * @param skipped hosts that get no Route, with why
 * @param notes warnings and explanations for people
 */
record Plan(
    String gatewayNamespace,
    String gatewayName,
    Disposition disposition,
    List<Route> routes,
    List<Skipped> skipped,
    List<String> notes) {

  /** What happens to a Gateway's Routes. */
  enum Disposition {
    /** Its Routes are exactly {@link #routes}: missing ones are made, others deleted. */
    MIRRORED,
    /** It is not IOR's to mirror (opted out, an egress gateway): Routes IOR made are deleted. */
    LEFT_ALONE,
    /** It cannot be mirrored now (unreadable, no Service found): its Routes stay as they are. */
    HELD
  }

  /** A host that gets no Route. */
  record Skipped(String host, String reason) {
    @Override
    public String toString() {
      return "\"" + host + "\": " + reason;
    }
  }

  Plan {
    Objects.requireNonNull(gatewayNamespace);
    Objects.requireNonNull(gatewayName);
    Objects.requireNonNull(disposition);
    routes = List.copyOf(routes);
    skipped = List.copyOf(skipped);
    notes = List.copyOf(notes);
  }

  static Plan leftAlone(String namespace, String name, String why) {
    return new Plan(namespace, name, Disposition.LEFT_ALONE, List.of(), List.of(), List.of(why));
  }

  static Plan held(String namespace, String name, String why) {
    return new Plan(namespace, name, Disposition.HELD, List.of(), List.of(), List.of(why));
  }

  String gatewayKey() {
    return gatewayNamespace + "/" + gatewayName;
  }

  /** Whether people should look at it: something was skipped, held or needs a warning. */
  boolean warns() {
    return disposition == Disposition.HELD
        || !skipped.isEmpty()
        || (disposition == Disposition.MIRRORED && !notes.isEmpty());
  }

  /** One paragraph saying which Routes were made and which hosts were skipped and why. */
  String summary() {
    StringBuilder b = new StringBuilder();
    switch (disposition) {
      case MIRRORED -> {
        b.append(routes.isEmpty() ? "no Routes" : "Routes ");
        b.append(
            routes.stream()
                .map(
                    r ->
                        r.getMetadata().getNamespace()
                            + "/"
                            + r.getMetadata().getName()
                            + " for \""
                            + r.getMetadata().getAnnotations().get(RoutePlanner.ORIGINAL_HOST)
                            + "\"")
                .collect(Collectors.joining(", ")));
      }
      case LEFT_ALONE -> b.append("not mirrored as Routes");
      case HELD -> b.append("Routes left as they are");
    }
    if (!skipped.isEmpty()) {
      b.append("; skipped hosts: ")
          .append(skipped.stream().map(Skipped::toString).collect(Collectors.joining("; ")));
    }
    for (String note : notes) {
      b.append("; ").append(note);
    }
    return b.toString();
  }
}
