package dev.mizzen.pilot.debug;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The /debug page: one self-contained HTML file that reads the JSON endpoints beside it. */
final class Dashboard {
  private static final String HTML = load();

  private Dashboard() {}

  static String html() {
    return HTML;
  }

  private static String load() {
    try (InputStream in = Dashboard.class.getResourceAsStream("dashboard.html")) {
      if (in == null) {
        throw new IllegalStateException("dashboard.html is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
