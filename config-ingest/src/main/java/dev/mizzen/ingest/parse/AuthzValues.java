package dev.mizzen.ingest.parse;

import com.google.common.net.InetAddresses;
import dev.mizzen.ingest.model.AuthorizationPolicySpec.Problem;
import dev.mizzen.ingest.model.AuthorizationPolicySpec.Value;
import dev.mizzen.ingest.model.AuthorizationPolicySpec.Values;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks the values of an AuthorizationPolicy one by one, as Istio's validation and generator do; a
 * bad value is kept with its problem so that the builder can fail closed on it.
 */
final class AuthzValues {

  /** Why a value is invalid, or null when it is not. */
  @FunctionalInterface
  interface Check {
    String problem(String value);
  }

  /** Istio's value wildcards: {@code *} alone, or at the start or the end of a value. */
  static final Check WILDCARD = AuthzValues::wildcard;

  /**
   * A peer principal: a wildcard value; "*x" becomes the regular expression {@code spiffe://.*x},
   * which must stay within the proxies' program size.
   */
  static final Check PRINCIPAL =
      v -> {
        String problem = wildcard(v);
        if (problem == null && v.startsWith("*") && !v.equals("*")) {
          problem = generatedRegexProblem(quote("spiffe://") + ".*" + quote(v.substring(1)));
        }
        return problem;
      };

  /**
   * A peer namespace: a wildcard value, which becomes a regular expression looking for "/ns/NS/" in
   * the peer's identity; it must stay within the proxies' program size.
   */
  static final Check NAMESPACE =
      v -> {
        String problem = wildcard(v);
        if (problem == null) {
          StringBuilder ns = new StringBuilder();
          String[] parts = v.split("\\*", -1);
          for (int i = 0; i < parts.length; i++) {
            ns.append(i == 0 ? "" : ".*").append(quote(parts[i]));
          }
          problem = generatedRegexProblem(".*/ns/" + ns + "/.*");
        }
        return problem;
      };

  /** An IP address or CIDR range, v4 or v6. */
  static final Check CIDR = AuthzValues::cidr;

  /** A port number. */
  static final Check PORT = AuthzValues::port;

  /** A path: wildcards, or Istio's {@code {*}} and {@code {**}} templates. */
  static final Check PATH = AuthzValues::path;

  /** "NAMESPACE/NAME" or "NAME". */
  static final Check SERVICE_ACCOUNT = AuthzValues::serviceAccount;

  private AuthzValues() {}

  /** Maistra's regular expression header: RE2 must compile it within the proxies' program size. */
  static Check regex(String key) {
    return value -> {
      if (value.isEmpty()) {
        return key + ": empty regular expression";
      }
      String problem = StringMatches.regexProblem(value);
      return problem == null ? null : key + ": " + problem;
    };
  }

  /** Why the regular expression a value becomes would be refused by the proxies, or null. */
  private static String generatedRegexProblem(String regex) {
    String problem = StringMatches.regexProblem(regex);
    if (problem == null) {
      return null;
    }
    String shown = regex.length() > 60 ? regex.substring(0, 57) + "..." : regex;
    return "the value becomes the regular expression " + shown + ": " + problem;
  }

  /** The value as a literal in a regular expression, as the RBAC builder quotes it. */
  private static String quote(String text) {
    StringBuilder b = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if ("\\.+*?()|[]{}^$".indexOf(c) >= 0) {
        b.append('\\');
      }
      b.append(c);
    }
    return b.toString();
  }

  /**
   * @param field the path of {@code in}, such as "spec.rules[0].from[0].source.principals"
   * @param notField the path of {@code notIn}
   */
  static Values read(
      List<String> in, List<String> notIn, String field, String notField, Check check) {
    return new Values(values(in, field, check), values(notIn, notField, check));
  }

  private static List<Value> values(List<String> written, String field, Check check) {
    if (written == null) {
      return List.of();
    }
    List<Value> out = new ArrayList<>(written.size());
    for (int i = 0; i < written.size(); i++) {
      String v = written.get(i);
      String where = field + "[" + i + "]";
      if (v == null) {
        out.add(new Value("", new Problem(where, "null value")));
        continue;
      }
      String problem = v.isEmpty() && check != WILDCARD ? "empty value" : check.problem(v);
      out.add(problem == null ? Value.valid(v) : new Value(v, new Problem(where, problem)));
    }
    return out;
  }

  private static String wildcard(String v) {
    if (v.isEmpty()) {
      return "empty value";
    }
    int star = v.indexOf('*');
    if (star < 0 || v.equals("*")) {
      return null;
    }
    boolean one = star == v.lastIndexOf('*');
    if (one && (star == 0 || star == v.length() - 1)) {
      return null;
    }
    return "\""
        + v
        + "\": the wildcard * may only stand alone, or at the start or the end of a value";
  }

  private static String cidr(String v) {
    int slash = v.indexOf('/');
    String address = slash < 0 ? v : v.substring(0, slash);
    if (!InetAddresses.isInetAddress(address)) {
      return "\"" + v + "\" is not an IP address or CIDR range";
    }
    if (slash >= 0) {
      int max = address.contains(":") ? 128 : 32;
      String len = v.substring(slash + 1);
      if (!len.matches("[0-9]{1,3}") || Integer.parseInt(len) > max) {
        return "\"" + v + "\" has an invalid prefix length; it must be between 0 and " + max;
      }
    }
    return null;
  }

  private static String port(String v) {
    if (!v.matches("[0-9]{1,5}") || Integer.parseInt(v) > 65535) {
      return "\"" + v + "\" is not a port number (0 to 65535)";
    }
    return null;
  }

  private static String path(String v) {
    if (!v.contains("{") && !v.contains("}")) {
      return wildcard(v);
    }
    for (String segment : v.split("/", -1)) {
      boolean template = segment.equals("{*}") || segment.equals("{**}");
      if (!template && (segment.contains("{") || segment.contains("}") || segment.contains("*"))) {
        return "\""
            + v
            + "\": a path template may only hold {*} or {**} as whole segments, and no other wildcard";
      }
    }
    return null;
  }

  private static String serviceAccount(String v) {
    String[] parts = v.split("/", -1);
    if (parts.length > 2) {
      return "\"" + v + "\" is not a service account: use NAMESPACE/NAME or NAME";
    }
    if (parts.length == 2 && !Names.isDns1123Label(parts[0])) {
      return "\"" + v + "\" names an invalid namespace \"" + parts[0] + "\"";
    }
    if (!Names.isDns1123Subdomain(parts[parts.length - 1])) {
      return "\"" + v + "\" names an invalid service account \"" + parts[parts.length - 1] + "\"";
    }
    return null;
  }
}
