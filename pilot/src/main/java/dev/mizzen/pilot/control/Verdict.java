package dev.mizzen.pilot.control;

import dev.mizzen.ingest.model.ConfigError;
import dev.mizzen.ingest.store.ConfigChange;
import dev.mizzen.ingest.store.ConfigSnapshot;
import dev.mizzen.pilot.analysis.Analysis;
import dev.mizzen.pilot.push.MeshSettings;
import dev.mizzen.pilot.push.PushContext;
import dev.mizzen.tenancy.Membership;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What Mizzen makes of a set of config: which objects are refused, which are served fail closed,
 * which are served with a warning. Pushes and the offline validator both come through here, so that
 * {@code mizzen validate} and a serving control plane never disagree.
 *
 * @param membership the member namespaces the verdict is about
 * @param members the config of those namespaces
 * @param ignored how many accepted objects were left out as outside the members
 * @param push the push context built from {@code members}
 * @param analysis what the analyzers find in it
 */
public record Verdict(
    Membership membership,
    ConfigSnapshot members,
    int ignored,
    PushContext push,
    Analysis analysis) {

  /**
   * @param all everything read
   * @param membership which namespaces are served
   * @param number the push's sequence number
   * @param at when the push started
   */
  public static Verdict of(
      ConfigSnapshot all, Membership membership, MeshSettings mesh, long number, Instant at) {
    ConfigSnapshot members = all.restrictTo(membership::isMember);
    PushContext push = PushContext.build(number, at, members, mesh);
    List<ConfigError> refused = new ArrayList<>(members.errors());
    refused.addAll(push.authz().errors());
    return new Verdict(
        membership,
        members,
        all.size() - members.size(),
        push,
        Analysis.of(push, membership, refused));
  }

  /**
   * The verdict after {@code before} once {@code change} is applied: when the change is to
   * Endpoints and EndpointSlices alone, with the same members and the same objects refused, the
   * push context keeps all but its services and the analysis is {@code before}'s (no analyzer reads
   * endpoints); otherwise as {@link #of}.
   *
   * @param before the verdict of the last push, or null
   */
  public static Verdict after(
      Verdict before,
      ConfigChange change,
      ConfigSnapshot all,
      Membership membership,
      MeshSettings mesh,
      long number,
      Instant at) {
    if (before == null
        || !membership.equals(before.membership)
        || !PushScope.only(change, PushScope.ADDRESS_KINDS)) {
      return of(all, membership, mesh, number, at);
    }
    ConfigSnapshot members = all.restrictTo(membership::isMember);
    if (!members.errors().equals(before.members.errors())) {
      return of(all, membership, mesh, number, at);
    }
    Optional<PushContext> push = PushContext.afterEndpoints(number, at, members, before.push);
    if (push.isEmpty()) {
      return of(all, membership, mesh, number, at);
    }
    return new Verdict(
        membership, members, all.size() - members.size(), push.get(), before.analysis);
  }

  /** Objects refused and left out, each once (a duplicate included). */
  public List<ConfigError> refused() {
    return members.errors();
  }

  /**
   * Security objects, or parts of them, in error and served so that they deny rather than allow:
   * refused objects served by their stand-ins, bad rules dropped, bad conditions widened.
   */
  public List<ConfigError> failClosed() {
    return push.authz().errors();
  }

  /**
   * What is served but is probably not what its author meant: the push's warnings, then the
   * analysis' errors and warnings.
   */
  public List<ConfigError> warnings() {
    return warnings(push, analysis);
  }

  static List<ConfigError> warnings(PushContext push, Analysis analysis) {
    List<ConfigError> all = new ArrayList<>(push.warnings());
    all.addAll(analysis.warnings());
    return List.copyOf(all);
  }
}
