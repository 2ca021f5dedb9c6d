package dev.mizzen.ingest.model;

/**
 * What a client sent, made safe to print in a log line, a gRPC status or a debug page: control and
 * invisible formatting characters (line breaks, escape sequences, bidirectional overrides) are
 * written as {@code \\uXXXX}, and anything longer than {@link #MAX_LENGTH} characters is cut, with
 * how much was left out.
 */
public final class Printable {
  public static final int MAX_LENGTH = 160;

  private Printable() {}

  public static String of(String s) {
    return of(s, MAX_LENGTH);
  }

  /** The same, cut after {@code maxLength} characters. */
  public static String of(String s, int maxLength) {
    return escape(s, maxLength, true);
  }

  /**
   * Config text (a value quoted in a refusal) made safe to print on one line: control and invisible
   * characters escaped as by {@link #of}, backslashes left as written, since regular expressions
   * are full of them; cut after {@code maxLength} characters.
   */
  public static String text(String s, int maxLength) {
    return escape(s, maxLength, false);
  }

  private static String escape(String s, int maxLength, boolean backslashes) {
    if (s == null) {
      return "";
    }
    int end = Math.min(s.length(), maxLength);
    StringBuilder out = new StringBuilder(end + 16);
    for (int i = 0; i < end; i++) {
      char c = s.charAt(i);
      int type = Character.getType(c);
      if (c == '\\' && backslashes) {
        out.append("\\\\");
      } else if (Character.isISOControl(c)
          || type == Character.FORMAT
          || type == Character.SURROGATE
          || type == Character.LINE_SEPARATOR
          || type == Character.PARAGRAPH_SEPARATOR
          || type == Character.UNASSIGNED) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    if (s.length() > end) {
      out.append("...(").append(s.length() - end).append(" more characters)");
    }
    return out.toString();
  }
}
