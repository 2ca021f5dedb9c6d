package dev.mizzen.ingest.parse;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.mizzen.ingest.model.StringMatch;
import io.fabric8.istio.api.api.networking.v1alpha3.StringMatchExact;
import io.fabric8.istio.api.api.networking.v1alpha3.StringMatchPrefix;
import io.fabric8.istio.api.api.networking.v1alpha3.StringMatchRegex;

/** Istio's StringMatch into the model, with regular expressions checked by RE2. */
final class StringMatches {
  private StringMatches() {}

  static StringMatch translate(
      io.fabric8.istio.api.api.networking.v1alpha3.StringMatch written, String field)
      throws FieldException {
    Object type = written.getMatchType();
    if (type instanceof StringMatchExact e && e.getExact() != null) {
      return StringMatch.exact(e.getExact());
    }
    if (type instanceof StringMatchPrefix p && p.getPrefix() != null) {
      return StringMatch.prefix(p.getPrefix());
    }
    if (type instanceof StringMatchRegex r && r.getRegex() != null) {
      if (r.getRegex().isEmpty()) {
        throw new FieldException(field + ".regex", "must not be empty (as in Istio)");
      }
      return StringMatch.regex(r.getRegex(), checkRegex(r.getRegex(), field + ".regex"));
    }
    throw new FieldException(field, "one of exact, prefix or regex is required");
  }

  /** Whether nothing is written in the match ({@code {}}, or {@code {exact: }}: null is absent). */
  static boolean isEmpty(io.fabric8.istio.api.api.networking.v1alpha3.StringMatch written) {
    Object type = written.getMatchType();
    return type == null
        || type instanceof StringMatchExact e && e.getExact() == null
        || type instanceof StringMatchPrefix p && p.getPrefix() == null
        || type instanceof StringMatchRegex r && r.getRegex() == null;
  }

  /**
   * Refuses what RE2 refuses, before Envoy does, and returns the size of the program RE2 compiles
   * the pattern into. Whether that size fits is the receiving proxy's business: Istio's Envoy
   * proxies take up to {@value Re2ProgramSize#ISTIO_PROXY_LIMIT}, proxyless gRPC has no limit.
   */
  static int checkRegex(String regex, String field) throws FieldException {
    try {
      Pattern.compile(regex);
      return Re2ProgramSize.of(regex);
    } catch (PatternSyntaxException e) {
      throw new FieldException(field, "invalid RE2 regular expression: " + e.getMessage());
    } catch (StackOverflowError e) {
      // RE2J (and the size computation) recurse over the nesting of groups.
      throw new FieldException(field, "regular expression nested too deeply to check");
    }
  }

  /**
   * Why RE2 in Istio's Envoy proxies would refuse a regular expression: its syntax, or a program
   * larger than {@code re2.max_program_size.error_level}, which Istio's agent sets to 32768 for
   * every sidecar and gateway; null when it would accept it.
   */
  static String regexProblem(String regex) {
    int size;
    try {
      size = checkRegex(regex, "");
    } catch (FieldException e) {
      return e.getMessage();
    }
    if (size > Re2ProgramSize.ISTIO_PROXY_LIMIT) {
      return Re2ProgramSize.describe(size)
          + " exceeds "
          + Re2ProgramSize.ISTIO_PROXY_LIMIT
          + ", the limit of Istio's Envoy proxies (re2.max_program_size.error_level);"
          + " simplify the regular expression";
    }
    return null;
  }
}
