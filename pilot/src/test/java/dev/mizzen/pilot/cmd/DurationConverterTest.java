package dev.mizzen.pilot.cmd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DurationConverterTest {
  private final DurationConverter converter = new DurationConverter();

  @Test
  void readsIstiodsFormsAndABareZero() {
    assertThat(converter.convert("100ms")).isEqualTo(Duration.ofMillis(100));
    assertThat(converter.convert("10s")).isEqualTo(Duration.ofSeconds(10));
    assertThat(converter.convert("1m")).isEqualTo(Duration.ofMinutes(1));
    assertThat(converter.convert("0")).isEqualTo(Duration.ZERO);
    assertThat(converter.convert("0ms")).isEqualTo(Duration.ZERO);
  }

  @Test
  void refusesAnythingElseSayingHowToWriteIt() {
    assertThatThrownBy(() -> converter.convert("5"))
        .isInstanceOf(CommandLine.TypeConversionException.class)
        .hasMessageContaining("write it as 100ms");
    assertThatThrownBy(() -> converter.convert("-1s"))
        .isInstanceOf(CommandLine.TypeConversionException.class);
  }
}
