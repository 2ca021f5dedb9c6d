package dev.mizzen.pilot.push;

import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.ConfigError;
import dev.mizzen.ingest.model.StringMatch;
import dev.mizzen.ingest.model.VirtualServiceSpec;
import dev.mizzen.ingest.model.VirtualServiceSpec.HeaderMatch;
import dev.mizzen.ingest.model.VirtualServiceSpec.HttpMatch;
import dev.mizzen.ingest.model.VirtualServiceSpec.HttpRoute;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Istio's delegation: a root route that names a delegate VirtualService is replaced by the
 * delegate's routes, each narrowed by the root route's matches (a delegate match must lie within
 * one of the root's, or the delegate route is left out) and filling what it leaves unset from the
 * root route.
 */
final class Delegation {
  private Delegation() {}

  static Config<VirtualServiceSpec> merge(
      Config<VirtualServiceSpec> root,
      Map<String, Config<VirtualServiceSpec>> delegates,
      List<ConfigError> warnings) {
    List<HttpRoute> http = root.spec().http();
    if (http.stream().noneMatch(r -> r.delegate() != null)) {
      return root;
    }
    List<HttpRoute> merged = new ArrayList<>();
    for (int i = 0; i < http.size(); i++) {
      HttpRoute route = http.get(i);
      if (route.delegate() == null) {
        merged.add(route);
        continue;
      }
      String field = "spec.http[" + i + "].delegate";
      String ns =
          route.delegate().namespace().isEmpty() ? root.namespace() : route.delegate().namespace();
      Config<VirtualServiceSpec> delegate = delegates.get(ns + "/" + route.delegate().name());
      if (delegate == null) {
        warnings.add(
            warning(
                root,
                field,
                "delegate VirtualService "
                    + ns
                    + "/"
                    + route.delegate().name()
                    + " not found; this route is left out"));
        continue;
      }
      if (!ExportTo.visible(delegate.spec().exportTo(), delegate.namespace(), root.namespace())) {
        warnings.add(
            warning(
                root,
                field,
                "delegate VirtualService "
                    + ns
                    + "/"
                    + route.delegate().name()
                    + " is not exported to namespace "
                    + root.namespace()
                    + "; this route is left out"));
        continue;
      }
      List<HttpRoute> sub = delegate.spec().http();
      for (int j = 0; j < sub.size(); j++) {
        HttpRoute leaf = sub.get(j);
        List<HttpMatch> matches = matches(route.matches(), leaf.matches());
        if (matches == null) {
          warnings.add(
              warning(
                  delegate,
                  "spec.http[" + j + "].match",
                  "conflicts with the matches of the route of VirtualService "
                      + root.ref().qualifiedName()
                      + " delegating to it; this route is left out there"));
          continue;
        }
        merged.add(inherit(route, leaf, matches));
      }
    }
    VirtualServiceSpec s = root.spec();
    VirtualServiceSpec spec =
        new VirtualServiceSpec(s.hosts(), s.gateways(), merged, s.tcp(), s.tls(), s.exportTo());
    return new Config<>(root.ref(), root.meta(), spec, root.origin(), root.source());
  }

  /** The delegate route with the root route's settings where it has none of its own. */
  private static HttpRoute inherit(HttpRoute root, HttpRoute leaf, List<HttpMatch> matches) {
    String name =
        leaf.name().isEmpty()
            ? root.name()
            : root.name().isEmpty() ? leaf.name() : root.name() + "-" + leaf.name();
    return new HttpRoute(
        name,
        matches,
        leaf.route(),
        leaf.redirect(),
        leaf.directResponse() != null ? leaf.directResponse() : root.directResponse(),
        null,
        leaf.rewrite() != null ? leaf.rewrite() : root.rewrite(),
        leaf.timeout() != null ? leaf.timeout() : root.timeout(),
        leaf.retries() != null ? leaf.retries() : root.retries(),
        leaf.fault() != null ? leaf.fault() : root.fault(),
        leaf.mirrors().isEmpty() ? root.mirrors() : leaf.mirrors(),
        leaf.corsPolicy() != null ? leaf.corsPolicy() : root.corsPolicy(),
        leaf.headers().isEmpty() ? root.headers() : leaf.headers());
  }

  /** The merged matches, or null when a delegate match lies within none of the root's. */
  private static List<HttpMatch> matches(List<HttpMatch> root, List<HttpMatch> leaf) {
    if (root.isEmpty()) {
      return leaf;
    }
    if (leaf.isEmpty()) {
      return root;
    }
    List<HttpMatch> out = new ArrayList<>();
    for (HttpMatch l : leaf) {
      boolean found = false;
      for (HttpMatch r : root) {
        if (!conflicts(r, l)) {
          out.add(merge(r, l));
          found = true;
        }
      }
      if (!found) {
        return null;
      }
    }
    return out;
  }

  private static HttpMatch merge(HttpMatch root, HttpMatch leaf) {
    String name =
        leaf.name().isEmpty()
            ? root.name()
            : root.name().isEmpty() ? leaf.name() : root.name() + "-" + leaf.name();
    Map<String, String> labels = new HashMap<>(root.sourceLabels());
    labels.putAll(leaf.sourceLabels());
    return new HttpMatch(
        name,
        leaf.uri() != null ? leaf.uri() : root.uri(),
        leaf.scheme() != null ? leaf.scheme() : root.scheme(),
        leaf.method() != null ? leaf.method() : root.method(),
        leaf.authority() != null ? leaf.authority() : root.authority(),
        union(root.headers(), leaf.headers()),
        union(root.withoutHeaders(), leaf.withoutHeaders()),
        union(root.queryParams(), leaf.queryParams()),
        leaf.port() != 0 ? leaf.port() : root.port(),
        labels,
        leaf.sourceNamespace().isEmpty() ? root.sourceNamespace() : leaf.sourceNamespace(),
        leaf.gateways().isEmpty() ? root.gateways() : leaf.gateways(),
        leaf.ignoreUriCase(),
        leaf.statPrefix().isEmpty() ? root.statPrefix() : leaf.statPrefix());
  }

  private static List<HeaderMatch> union(List<HeaderMatch> root, List<HeaderMatch> leaf) {
    Map<String, HeaderMatch> byName = new LinkedHashMap<>();
    root.forEach(h -> byName.put(h.name(), h));
    leaf.forEach(h -> byName.put(h.name(), h));
    return List.copyOf(byName.values());
  }

  private static boolean conflicts(HttpMatch root, HttpMatch leaf) {
    if (conflicts(root.uri(), leaf.uri())
        || conflicts(root.scheme(), leaf.scheme())
        || conflicts(root.method(), leaf.method())
        || conflicts(root.authority(), leaf.authority())) {
      return true;
    }
    if (conflicts(root.headers(), leaf.headers())
        || conflicts(root.withoutHeaders(), leaf.withoutHeaders())
        || conflicts(root.queryParams(), leaf.queryParams())) {
      return true;
    }
    if (root.ignoreUriCase() != leaf.ignoreUriCase()) {
      return true;
    }
    if (root.port() > 0 && leaf.port() > 0 && root.port() != leaf.port()) {
      return true;
    }
    if (!root.sourceNamespace().isEmpty()
        && !leaf.sourceNamespace().equals(root.sourceNamespace())) {
      return true;
    }
    for (Map.Entry<String, String> e : leaf.sourceLabels().entrySet()) {
      String v = root.sourceLabels().get(e.getKey());
      if (v != null && !v.equals(e.getValue())) {
        return true;
      }
    }
    return !root.gateways().isEmpty()
        && !leaf.gateways().isEmpty()
        && !root.gateways().containsAll(leaf.gateways());
  }

  private static boolean conflicts(List<HeaderMatch> root, List<HeaderMatch> leaf) {
    for (HeaderMatch l : leaf) {
      for (HeaderMatch r : root) {
        if (r.name().equals(l.name()) && conflicts(r.match(), l.match())) {
          return true;
        }
      }
    }
    return false;
  }

  /** Whether {@code leaf} can select requests outside {@code root}: Istio's rule. */
  private static boolean conflicts(StringMatch root, StringMatch leaf) {
    if (root == null || leaf == null) {
      return false;
    }
    if (root.type() == StringMatch.Type.REGEX || leaf.type() == StringMatch.Type.REGEX) {
      return true;
    }
    if (root.type() == StringMatch.Type.EXACT) {
      return leaf.type() != StringMatch.Type.EXACT || !Objects.equals(leaf.value(), root.value());
    }
    return !leaf.value().startsWith(root.value());
  }

  private static ConfigError warning(Config<?> c, String field, String reason) {
    return new ConfigError(c.origin(), c.kind().name(), c.namespace(), c.name(), field, reason);
  }
}
