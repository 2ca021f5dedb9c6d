package dev.mizzen.ingest.parse;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses durations as Istio's manifests write them: "10s", "1.5s", "250ms", "1m30s", "1h". */
final class Durations {
  private static final Pattern PART =
      Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h)");

  private Durations() {}

  static Duration parse(String text, String field) throws FieldException {
    if (text == null || text.isEmpty()) {
      throw new FieldException(field, "empty duration");
    }
    Matcher m = PART.matcher(text);
    int at = 0;
    BigDecimal nanos = BigDecimal.ZERO;
    while (at < text.length()) {
      if (!m.find(at) || m.start() != at) {
        throw new FieldException(
            field, "invalid duration \"" + text + "\" (write it as 10s, 1.5s, 250ms, 1m or 1h)");
      }
      BigDecimal amount =
          new BigDecimal(m.group(1).startsWith(".") ? "0" + m.group(1) : m.group(1));
      nanos = nanos.add(amount.multiply(BigDecimal.valueOf(unitNanos(m.group(2)))));
      at = m.end();
    }
    return Duration.ofNanos(nanos.longValue());
  }

  private static long unitNanos(String unit) {
    return switch (unit) {
      case "ns" -> 1L;
      case "us", "µs" -> 1_000L;
      case "ms" -> 1_000_000L;
      case "s" -> 1_000_000_000L;
      case "m" -> 60_000_000_000L;
      default -> 3_600_000_000_000L;
    };
  }
}
