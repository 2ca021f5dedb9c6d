package dev.mizzen.authz.rbac;

import dev.mizzen.authz.rbac.Matcher.Authenticated;
import dev.mizzen.authz.rbac.Matcher.Header;
import dev.mizzen.authz.rbac.Matcher.Metadata;
import dev.mizzen.authz.rbac.Matcher.ValueMatch;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/** Istio's reading of one written value into a matcher: its wildcards, prefixes and regexes. */
final class Patterns {
  static final String JWT_FILTER = "envoy.filters.http.jwt_authn";
  static final String JWT_PAYLOAD = "payload";
  private static final String SPIFFE = "spiffe://";
  private static final String META = "\\.+*?()|[]{}^$";
  private static final StringPattern ANY_TEXT = StringPattern.regex(".+");

  private Patterns() {}

  /** Istio's StringMatcher: "*" is any non-empty text, "*x" a suffix, "x*" a prefix. */
  static StringPattern string(String v) {
    return withPrefix(v, "");
  }

  /** As {@link #string}, with {@code prefix} in front of what is written ("*" stays any). */
  static StringPattern withPrefix(String v, String prefix) {
    if (v.equals("*")) {
      return ANY_TEXT;
    }
    if (v.startsWith("*")) {
      if (prefix.isEmpty()) {
        return StringPattern.suffix(v.substring(1));
      }
      // A suffix after a fixed prefix needs a regular expression.
      return StringPattern.regex(quote(prefix) + ".*" + quote(v.substring(1)));
    }
    if (v.endsWith("*")) {
      return StringPattern.prefix(prefix + v.substring(0, v.length() - 1));
    }
    return StringPattern.exact(prefix + v);
  }

  /** A header: "*" is presence, otherwise as {@link #string} but never a regular expression. */
  static Header header(String name, String v, boolean ignoreCase) {
    if (v.equals("*")) {
      return new Header(name, null);
    }
    StringPattern p;
    if (v.startsWith("*")) {
      p = StringPattern.suffix(v.substring(1));
    } else if (v.endsWith("*")) {
      p = StringPattern.prefix(v.substring(0, v.length() - 1));
    } else {
      p = StringPattern.exact(v);
    }
    return new Header(name, new StringPattern(p.kind(), p.value(), ignoreCase));
  }

  /** A peer identity, written without Istio's "spiffe://" scheme. */
  static Authenticated principal(String v) {
    return new Authenticated(withPrefix(v, SPIFFE));
  }

  /** A peer namespace: a regular expression over the peer's SPIFFE identity. */
  static Authenticated namespace(String v) {
    StringJoiner ns = new StringJoiner(".*");
    for (String part : v.split("\\*", -1)) {
      ns.add(quote(part));
    }
    return new Authenticated(StringPattern.regex(".*/ns/" + ns + "/.*"));
  }

  /** "NS/NAME" or "NAME" (in {@code policyNamespace}): the identity of a service account. */
  static Authenticated serviceAccount(String v, String policyNamespace) {
    int slash = v.indexOf('/');
    String ns = slash < 0 ? policyNamespace : v.substring(0, slash);
    String sa = slash < 0 ? v : v.substring(slash + 1);
    return new Authenticated(
        StringPattern.regex("spiffe://.+/ns/" + quote(ns) + "/(.+/|)sa/" + quote(sa) + "(/.+)?"));
  }

  /**
   * A JWT principal "ISSUER/SUBJECT" as jwt_authn leaves it: the issuer and subject claims of the
   * verified payload. The issuer may itself hold slashes (a URL), so the last one splits.
   */
  static Matcher requestPrincipal(String v) {
    int slash = v.lastIndexOf('/');
    boolean split = slash >= 0;
    String iss = split ? v.substring(0, slash) : v;
    String sub = split ? v.substring(slash + 1) : "";
    StringPattern matchIss;
    StringPattern matchSub;
    if (v.equals("*")) {
      matchIss = ANY_TEXT;
      matchSub = ANY_TEXT;
    } else if (v.startsWith("*")) {
      if (split) {
        matchIss = iss.equals("*") ? ANY_TEXT : StringPattern.suffix(iss.substring(1));
        matchSub = StringPattern.exact(sub);
      } else {
        matchIss = ANY_TEXT;
        matchSub = StringPattern.suffix(v.substring(1));
      }
    } else if (v.endsWith("*")) {
      if (split) {
        matchIss = StringPattern.exact(iss);
        matchSub =
            sub.equals("*") ? ANY_TEXT : StringPattern.prefix(sub.substring(0, sub.length() - 1));
      } else {
        matchIss = StringPattern.prefix(v.substring(0, v.length() - 1));
        matchSub = ANY_TEXT;
      }
    } else {
      matchIss = StringPattern.exact(iss);
      matchSub = StringPattern.exact(sub);
    }
    return new Matcher.And(
        List.of(
            claim(List.of("iss"), new ValueMatch.Text(matchIss)),
            claim(List.of("sub"), new ValueMatch.Text(matchSub))));
  }

  /** A claim of the verified JWT payload, as a single value or as one element of a list value. */
  static Metadata claimOneOf(List<String> claim, List<String> values) {
    ValueMatch any = texts(values);
    return claim(claim, new ValueMatch.AnyOf(List.of(new ValueMatch.ListContains(any), any)));
  }

  /** Istio's experimental.envoy.filters.FILTER[KEY]: "[v]" matches an element of a list. */
  static Metadata envoyFilter(String filter, String key, List<String> values) {
    List<ValueMatch> each = new ArrayList<>();
    for (String v : values) {
      if (v.startsWith("[") && v.endsWith("]") && v.length() >= 2) {
        each.add(
            new ValueMatch.ListContains(
                new ValueMatch.Text(string(v.substring(1, v.length() - 1)))));
      } else {
        each.add(new ValueMatch.Text(string(v)));
      }
    }
    return new Metadata(
        filter, List.of(key), each.size() == 1 ? each.get(0) : new ValueMatch.AnyOf(each));
  }

  private static ValueMatch texts(List<String> values) {
    List<ValueMatch> each = new ArrayList<>();
    for (String v : values) {
      each.add(new ValueMatch.Text(string(v)));
    }
    return each.size() == 1 ? each.get(0) : new ValueMatch.AnyOf(each);
  }

  private static Metadata claim(List<String> claim, ValueMatch value) {
    List<String> path = new ArrayList<>();
    path.add(JWT_PAYLOAD);
    path.addAll(claim);
    return new Metadata(JWT_FILTER, path, value);
  }

  /** A path: Istio's {*} and {**} templates become Envoy URI templates, else as a string. */
  static Matcher path(String v) {
    if (v.contains("{*}") || v.contains("{**}")) {
      return new Matcher.PathTemplate(v.replace("{**}", "**").replace("{*}", "*"));
    }
    return new Matcher.Path(string(v));
  }

  /** RE2's QuoteMeta: the text, matched literally. */
  static String quote(String text) {
    StringBuilder b = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (META.indexOf(c) >= 0) {
        b.append('\\');
      }
      b.append(c);
    }
    return b.toString();
  }
}
