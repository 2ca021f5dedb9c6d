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

  /** Whether nothing is written in the match ({@code {}}, or {@code {exact: }}: null is absent). */
  static boolean isEmpty(io.fabric8.istio.api.api.networking.v1alpha3.StringMatch written) {
    Object type = written.getMatchType();
    return type == null
        || type instanceof StringMatchExact e && e.getExact() == null
        || type instanceof StringMatchPrefix p && p.getPrefix() == null
        || type instanceof StringMatchRegex r && r.getRegex() == null;
  }

  /** Envoy compiles regular expressions with RE2; refuse what RE2 refuses, before Envoy does. */
  static void checkRegex(String regex, String field) throws FieldException {
    try {
      Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      throw new FieldException(field, "invalid RE2 regular expression: " + e.getMessage());
    }
  }
}
