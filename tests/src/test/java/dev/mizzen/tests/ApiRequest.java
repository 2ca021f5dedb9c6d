package dev.mizzen.tests;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One request the API server saw, read as RBAC reads it: which namespace, API group, resource (with
 * its subresource) and verb.
 *
 * @param namespace the namespace, empty for a cluster-scoped or all-namespaces request
 * @param group the API group, empty for the core group
 * @param resource the resource, "servicemeshmemberrolls/status" for a subresource
 * @param verb get, list, watch, create, update, patch, delete or deletecollection
 */
record ApiRequest(String namespace, String group, String resource, String verb) {

  /** The request, or null for discovery and other non-resource requests. */
  static ApiRequest parse(String request) {
    int space = request.indexOf(' ');
    String method = request.substring(0, space);
    String target = request.substring(space + 1);
    int q = target.indexOf('?');
    String path = q < 0 ? target : target.substring(0, q);
    String query = q < 0 ? "" : target.substring(q + 1);
    String[] s = path.replaceFirst("^/", "").split("/");
    String group;
    int at;
    if (s[0].equals("api") && s.length > 2) {
      group = "";
      at = 2;
    } else if (s[0].equals("apis") && s.length > 3) {
      group = s[1];
      at = 3;
    } else {
      return null;
    }
    String namespace = "";
    if (s[at].equals("namespaces") && s.length >= at + 3) {
      namespace = s[at + 1];
      at += 2;
    }
    String resource = s[at];
    String name = s.length > at + 1 ? s[at + 1] : null;
    if (s.length > at + 2) {
      resource += "/" + s[at + 2];
    }
    String verb =
        switch (method) {
          case "GET" -> name != null ? "get" : query.contains("watch=true") ? "watch" : "list";
          case "POST" -> "create";
          case "PUT" -> "update";
          case "PATCH" -> "patch";
          case "DELETE" -> name != null ? "delete" : "deletecollection";
          default -> method.toLowerCase(Locale.ROOT);
        };
    return new ApiRequest(namespace, group, resource, verb);
  }

  /**
   * The name of the object a request is about (in its path, or in a {@code metadata.name} field
   * selector of a list or watch), as RBAC's resourceNames match it; null when it names none.
   */
  static String name(String request) {
    String target = request.substring(request.indexOf(' ') + 1);
    int q = target.indexOf('?');
    String path = q < 0 ? target : target.substring(0, q);
    String query = q < 0 ? "" : URLDecoder.decode(target.substring(q + 1), StandardCharsets.UTF_8);
    for (String part : query.split("&")) {
      if (part.startsWith("fieldSelector=metadata.name=")) {
        return part.substring("fieldSelector=metadata.name=".length());
      }
    }
    String[] s = path.replaceFirst("^/", "").split("/");
    int at = s[0].equals("api") ? 2 : 3;
    if (s.length > at && s[at].equals("namespaces") && s.length >= at + 3) {
      at += 2;
    }
    return s.length > at + 1 ? s[at + 1] : null;
  }

  /** The same request, whatever its namespace. */
  ApiRequest anyNamespace() {
    return new ApiRequest("", group, resource, verb);
  }
}
