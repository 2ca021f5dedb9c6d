package dev.mizzen.pilot.generate;

import com.google.protobuf.BoolValue;
import dev.mizzen.ingest.model.StringMatch;
import dev.mizzen.ingest.model.VirtualServiceSpec.HeaderMatch;
import dev.mizzen.ingest.model.VirtualServiceSpec.HttpMatch;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;

/** An Istio HTTP match as Envoy's RouteMatch, as Istio translates it. */
final class RouteMatches {
  private RouteMatches() {}

  /**
   * The match; null stands for a route without matches, which matches every request.
   *
   * @param forGrpc whether for a proxyless gRPC client, which (unlike Envoy) compares paths without
   *     case unless told otherwise
   */
  static RouteMatch of(HttpMatch m, boolean forGrpc) {
    RouteMatch.Builder match = RouteMatch.newBuilder();
    if (forGrpc && (m == null || !m.ignoreUriCase())) {
      match.setCaseSensitive(BoolValue.of(true));
    }
    StringMatch uri = m == null ? null : m.uri();
    if (uri == null) {
      match.setPrefix("/");
    } else {
      switch (uri.type()) {
        case EXACT -> match.setPath(uri.value());
        case PREFIX -> match.setPrefix(uri.value());
        case REGEX -> match.setSafeRegex(RegexMatcher.newBuilder().setRegex(uri.value()));
      }
    }
    if (m == null) {
      return match.build();
    }
    if (m.ignoreUriCase()) {
      match.setCaseSensitive(BoolValue.of(false));
    }
    if (m.method() != null) {
      match.addHeaders(header(":method", m.method(), false));
    }
    if (m.authority() != null) {
      match.addHeaders(header(":authority", m.authority(), false));
    }
    if (m.scheme() != null) {
      match.addHeaders(header(":scheme", m.scheme(), false));
    }
    for (HeaderMatch h : m.headers()) {
      match.addHeaders(header(h.name(), h.match(), false));
    }
    for (HeaderMatch h : m.withoutHeaders()) {
      match.addHeaders(header(h.name(), h.match(), true));
    }
    for (HeaderMatch q : m.queryParams()) {
      QueryParameterMatcher.Builder qp = QueryParameterMatcher.newBuilder().setName(q.name());
      if (q.match() == null) {
        qp.setPresentMatch(true);
      } else {
        qp.setStringMatch(stringMatcher(q.match()));
      }
      match.addQueryParameters(qp);
    }
    return match.build();
  }

  /** A header condition; without a value, its presence (or, inverted, its absence). */
  private static HeaderMatcher header(String name, StringMatch value, boolean invert) {
    HeaderMatcher.Builder h = HeaderMatcher.newBuilder().setName(name);
    if (value == null) {
      h.setPresentMatch(true);
    } else {
      h.setStringMatch(stringMatcher(value));
    }
    if (invert) {
      h.setInvertMatch(true);
    }
    return h.build();
  }

  static StringMatcher stringMatcher(StringMatch m) {
    StringMatcher.Builder b = StringMatcher.newBuilder();
    switch (m.type()) {
      case EXACT -> b.setExact(m.value());
      case PREFIX -> b.setPrefix(m.value());
      case REGEX -> b.setSafeRegex(RegexMatcher.newBuilder().setRegex(m.value()));
    }
    return b.build();
  }
}
