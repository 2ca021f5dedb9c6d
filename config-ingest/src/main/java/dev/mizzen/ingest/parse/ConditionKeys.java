package dev.mizzen.ingest.parse;

import dev.mizzen.ingest.model.AuthorizationPolicySpec.Attribute;
import dev.mizzen.ingest.model.AuthorizationPolicySpec.Condition;
import dev.mizzen.ingest.model.AuthorizationPolicySpec.Problem;
import dev.mizzen.ingest.model.AuthorizationPolicySpec.Values;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Reads the key of a {@code when} condition and checks its values by what the key names. */
final class ConditionKeys {
  private static final Map<String, Attribute> PLAIN =
      Map.of(
          "source.ip", Attribute.SOURCE_IP,
          "remote.ip", Attribute.REMOTE_IP,
          "source.namespace", Attribute.SOURCE_NAMESPACE,
          "source.principal", Attribute.SOURCE_PRINCIPAL,
          "request.auth.principal", Attribute.REQUEST_PRINCIPAL,
          "request.auth.audiences", Attribute.REQUEST_AUDIENCES,
          "request.auth.presenter", Attribute.REQUEST_PRESENTER,
          "destination.ip", Attribute.DESTINATION_IP,
          "destination.port", Attribute.DESTINATION_PORT,
          "connection.sni", Attribute.CONNECTION_SNI);

  private static final String KNOWN =
      "request.headers[NAME], request.regex.headers[NAME], source.ip, remote.ip, source.namespace,"
          + " source.principal, request.auth.principal, request.auth.audiences,"
          + " request.auth.presenter, request.auth.claims[NAME], destination.ip, destination.port,"
          + " connection.sni, experimental.envoy.filters.FILTER[KEY]";

  private ConditionKeys() {}

  /**
   * @param f the path of the condition, such as "spec.rules[0].when[1]"
   */
  static Condition condition(String key, List<String> values, List<String> notValues, String f) {
    String k = key == null ? "" : key;
    Attribute attribute = PLAIN.get(k);
    List<String> arguments = List.of();
    String keyProblem = null;
    if (attribute == null) {
      if (k.startsWith("request.regex.headers")) {
        attribute = Attribute.REQUEST_REGEX_HEADER;
        arguments = brackets(k.substring(attribute.key().length()), 1);
        if (arguments == null) {
          keyProblem = "the key must have the form request.regex.headers[NAME], not \"" + k + "\"";
        }
      } else if (k.startsWith("request.headers")) {
        attribute = Attribute.REQUEST_HEADER;
        arguments = brackets(k.substring(attribute.key().length()), 1);
        if (arguments == null) {
          keyProblem = "the key must have the form request.headers[NAME], not \"" + k + "\"";
        }
      } else if (k.startsWith("request.auth.claims")) {
        attribute = Attribute.REQUEST_CLAIMS;
        arguments = brackets(k.substring(attribute.key().length()), -1);
        if (arguments == null) {
          keyProblem =
              "the key must have the form request.auth.claims[NAME] (or [A][B] for nested claims), not \""
                  + k
                  + "\"";
        }
      } else if (k.startsWith("experimental.envoy.filters.")) {
        attribute = Attribute.ENVOY_FILTER;
        int open = k.indexOf('[');
        List<String> inner = open < 0 ? null : brackets(k.substring(open), 1);
        String filter = open < 0 ? "" : k.substring("experimental.".length(), open);
        if (inner == null || filter.endsWith(".")) {
          keyProblem =
              "the key must have the form experimental.envoy.filters.FILTER[KEY], not \""
                  + k
                  + "\"";
        } else {
          arguments = List.of(filter, inner.get(0));
        }
      } else {
        keyProblem =
            (k.isEmpty() ? "a key is required" : "unknown key \"" + k + "\"")
                + "; known keys: "
                + KNOWN;
      }
    }
    if (keyProblem != null) {
      Values asWritten = readAs(null, values, notValues, f, k);
      return new Condition(k, null, List.of(), asWritten, new Problem(f + ".key", keyProblem));
    }
    Values read = readAs(attribute, values, notValues, f, k);
    Problem problem = null;
    if (read.isEmpty()) {
      problem = new Problem(f, k + ": at least one of values or notValues is required");
    }
    return new Condition(k, attribute, arguments, read, problem);
  }

  private static Values readAs(
      Attribute attribute, List<String> values, List<String> notValues, String f, String key) {
    // Values of an unknown key cannot be judged; the key's problem stands for them.
    AuthzValues.Check check = v -> null;
    if (attribute != null) {
      check =
          switch (attribute) {
            case SOURCE_IP, REMOTE_IP, DESTINATION_IP -> AuthzValues.CIDR;
            case DESTINATION_PORT -> AuthzValues.PORT;
            case REQUEST_REGEX_HEADER -> AuthzValues.regex(key);
            default -> AuthzValues.WILDCARD;
          };
    }
    return AuthzValues.read(values, notValues, f + ".values", f + ".notValues", check);
  }

  /**
   * The names in "[a]" or "[a][b]...", or null when the text is not of that form.
   *
   * @param count how many are required, -1 for one or more
   */
  private static List<String> brackets(String text, int count) {
    List<String> names = new ArrayList<>();
    int i = 0;
    while (i < text.length()) {
      if (text.charAt(i) != '[') {
        return null;
      }
      int close = text.indexOf(']', i);
      if (close < 0) {
        return null;
      }
      String name = text.substring(i + 1, close);
      if (name.isEmpty() || name.contains("[")) {
        return null;
      }
      names.add(name);
      i = close + 1;
    }
    if (names.isEmpty() || (count > 0 && names.size() != count)) {
      return null;
    }
    return names;
  }
}
