package dev.mizzen.pilot.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The series alerts rely on: present from the start, at zero, and counting what happens. */
class PilotMetricsTest {
  @Test
  void everyCounterAnAlertMayWatchIsThereAtZeroBeforeAnyEvent() {
    String scrape = new PilotMetrics().scrape();
    assertThat(scrape)
        .contains(
            "pilot_total_xds_rejects{type=\"cds\"} 0.0",
            "pilot_total_xds_rejects{type=\"rds\"} 0.0",
            "pilot_xds_pushes{type=\"eds\"} 0.0",
            "pilot_xds_expired_nonce{type=\"lds\"} 0.0",
            "pilot_inbound_updates{type=\"svc\"} 0.0",
            "pilot_push_triggers{type=\"endpoint\"} 0.0",
            "pilot_push_triggers{type=\"global\"} 0.0",
            "pilot_k8s_cfg_events{event=\"add\",type=\"VirtualService\"} 0.0",
            "pilot_k8s_cfg_events{event=\"delete\",type=\"AuthorizationPolicy\"} 0.0",
            "pilot_xds_refused_streams{reason=\"not_a_member\"} 0.0",
            "pilot_xds_write_timeout 0.0",
            "pilot_xds_push_context_errors 0.0",
            "pilot_proxy_queue_time_count 0");
  }

  @Test
  void countersCountWhatHappens() {
    PilotMetrics m = new PilotMetrics();
    m.kubeEvent("VirtualService", "update");
    m.kubeEvent("VirtualService", "update");
    m.pushTriggered(List.of("config", "endpoint"), 2);
    m.writeTimedOut(null);
    m.dequeued(null, 5_000_000);
    String scrape = m.scrape();
    assertThat(scrape)
        .contains(
            "pilot_k8s_cfg_events{event=\"update\",type=\"VirtualService\"} 2.0",
            "pilot_k8s_cfg_events{event=\"add\",type=\"VirtualService\"} 0.0",
            "pilot_push_triggers{type=\"config\"} 1.0",
            "pilot_push_triggers{type=\"endpoint\"} 1.0",
            "pilot_push_triggers{type=\"service\"} 0.0",
            "pilot_xds_push_context_errors 2.0",
            "pilot_xds_write_timeout 1.0",
            "pilot_proxy_queue_time_count 1");
  }
}
