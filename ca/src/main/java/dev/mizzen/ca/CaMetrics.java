package dev.mizzen.ca;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * istiod's CA metrics, under istiod's names. Counters are kept as gauges of running totals, as
 * Mizzen exports all of istiod's counters (Micrometer would add a {@code _total} suffix to a
 * counter), and every one exists from the start, at zero.
 */
public final class CaMetrics {
  private final AtomicLong csrs = new AtomicLong();
  private final AtomicLong issued = new AtomicLong();
  private final AtomicLong authenticationFailures = new AtomicLong();
  private final AtomicLong parsingErrors = new AtomicLong();
  private final Map<Refusal.Reason, AtomicLong> refusals = new EnumMap<>(Refusal.Reason.class);
  private volatile long rootExpiry;

  public CaMetrics() {
    for (Refusal.Reason r : Refusal.Reason.values()) {
      refusals.put(r, new AtomicLong());
    }
  }

  /** Registers the metrics; {@code rootExpiry} in seconds since the epoch. */
  public CaMetrics register(MeterRegistry registry, long rootExpirySeconds) {
    rootExpiry = rootExpirySeconds;
    gauge(registry, "citadel_server_csr_count", "CSRs received.", csrs);
    gauge(registry, "citadel_server_success_cert_issuance_count", "Certificates issued.", issued);
    gauge(
        registry,
        "citadel_server_authentication_failure_count",
        "Requests whose caller could not be authenticated.",
        authenticationFailures);
    gauge(
        registry,
        "citadel_server_csr_parsing_err_count",
        "CSRs that could not be read or failed a check.",
        parsingErrors);
    Gauge.builder("citadel_server_root_cert_expiry_timestamp", this, m -> m.rootExpiry)
        .description("When the root certificate expires, in seconds since the epoch.")
        .register(registry);
    return this;
  }

  private static void gauge(MeterRegistry registry, String name, String help, AtomicLong value) {
    Gauge.builder(name, value, AtomicLong::get).description(help).register(registry);
  }

  void received() {
    csrs.incrementAndGet();
  }

  void issued() {
    issued.incrementAndGet();
  }

  void refused(Refusal.Reason reason) {
    refusals.get(reason).incrementAndGet();
    switch (reason) {
      case AUTHENTICATION -> authenticationFailures.incrementAndGet();
      case CSR -> parsingErrors.incrementAndGet();
      default -> {}
    }
  }

  /** Refusals since the start, by reason. */
  public Map<Refusal.Reason, Long> refusals() {
    Map<Refusal.Reason, Long> out = new EnumMap<>(Refusal.Reason.class);
    refusals.forEach((r, n) -> out.put(r, n.get()));
    return out;
  }

  public long issuedCount() {
    return issued.get();
  }
}
