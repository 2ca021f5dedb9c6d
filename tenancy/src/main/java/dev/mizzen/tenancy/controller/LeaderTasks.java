package dev.mizzen.tenancy.controller;

import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The member controller's {@link LeaderTask}s; one failing task never stops the others. */
final class LeaderTasks {
  private static final Logger log = LoggerFactory.getLogger(LeaderTasks.class);

  private final List<LeaderTask> tasks = new CopyOnWriteArrayList<>();

  void add(LeaderTask task) {
    tasks.add(Objects.requireNonNull(task));
  }

  void startLeading() {
    for (LeaderTask task : tasks) {
      try {
        task.startLeading();
      } catch (RuntimeException e) {
        log.warn("{} did not start: {}", task, e.toString());
      }
    }
  }

  void stopLeading() {
    for (LeaderTask task : tasks) {
      try {
        task.stopLeading();
      } catch (RuntimeException e) {
        log.warn("{} did not stop cleanly: {}", task, e.toString());
      }
    }
  }

  /** Tells every task the configured members; false when one of them has to be asked again. */
  boolean members(List<MemberOutcome> outcomes) {
    SortedSet<String> configured = new TreeSet<>();
    outcomes.stream().filter(MemberOutcome::configured).forEach(o -> configured.add(o.namespace()));
    SortedSet<String> view = Collections.unmodifiableSortedSet(configured);
    boolean done = true;
    for (LeaderTask task : tasks) {
      try {
        done &= task.members(view);
      } catch (RuntimeException e) {
        log.warn("{} failed with the members {}, retrying: {}", task, configured, e.toString());
        done = false;
      }
    }
    return done;
  }
}
