package dev.mizzen.ingest.parse;

import java.util.regex.Pattern;

/** Kubernetes' rules for names. */
final class Names {
  private static final Pattern DNS1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern DNS1123_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  private Names() {}

  static boolean isDns1123Label(String s) {
    return s.length() <= 63 && DNS1123_LABEL.matcher(s).matches();
  }

  static boolean isDns1123Subdomain(String s) {
    return s.length() <= 253 && DNS1123_SUBDOMAIN.matcher(s).matches();
  }

  static void requireLabel(String value, String field) throws FieldException {
    if (!isDns1123Label(value)) {
      throw new FieldException(
          field,
          "\""
              + value
              + "\" is not a valid name: lower case letters, digits and '-', at most 63,"
              + " starting and ending with a letter or digit");
    }
  }
}
