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
      checkRegex(r.getRegex(), field + ".regex");
      return StringMatch.regex(r.getRegex());
    }
    throw new FieldException(field, "one of exact, prefix or regex is required");
  }

  /**
   * Envoy compiles regular expressions with RE2 and refuses a whole resource over one it cannot
   * compile, or whose program is larger than the proxy allows; refuse those before Envoy does.
   */
  static void checkRegex(String regex, String field) throws FieldException {
    String problem = regexProblem(regex);
    if (problem != null) {
      throw new FieldException(field, problem);
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
      Pattern.compile(regex);
      size = Re2ProgramSize.of(regex);
    } catch (PatternSyntaxException e) {
      return "invalid RE2 regular expression: " + e.getMessage();
    } catch (StackOverflowError e) {
      // RE2J (and the size computation) recurse over the nesting of groups.
      return "regular expression nested too deeply to check";
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
