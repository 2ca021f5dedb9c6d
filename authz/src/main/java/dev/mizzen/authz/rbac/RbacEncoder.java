package dev.mizzen.authz.rbac;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import dev.mizzen.authz.rbac.Matcher.ValueMatch;
import io.envoyproxy.envoy.config.core.v3.CidrRange;
import io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig;
import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.extensions.path.match.uri_template.v3.UriTemplateMatchConfig;
import io.envoyproxy.envoy.type.matcher.v3.ListMatcher;
import io.envoyproxy.envoy.type.matcher.v3.MetadataMatcher;
import io.envoyproxy.envoy.type.matcher.v3.OrMatcher;
import io.envoyproxy.envoy.type.matcher.v3.PathMatcher;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.matcher.v3.ValueMatcher;

/** Stage two of the RBAC builder: the intermediate model into Envoy's RBAC policy protos. */
final class RbacEncoder {
  static final String URI_TEMPLATE = "uri-template";

  private RbacEncoder() {}

  static Policy policy(GeneratedRule rule) {
    Policy.Builder p = Policy.newBuilder();
    for (Matcher m : rule.permissions()) {
      p.addPermissions(permission(m));
    }
    for (Matcher m : rule.principals()) {
      p.addPrincipals(principal(m));
    }
    return p.build();
  }

  static Permission permission(Matcher m) {
    Permission.Builder b = Permission.newBuilder();
    if (m instanceof Matcher.Any) {
      b.setAny(true);
    } else if (m instanceof Matcher.And and) {
      Permission.Set.Builder set = Permission.Set.newBuilder();
      and.all().forEach(x -> set.addRules(permission(x)));
      b.setAndRules(set);
    } else if (m instanceof Matcher.Or or) {
      Permission.Set.Builder set = Permission.Set.newBuilder();
      or.any().forEach(x -> set.addRules(permission(x)));
      b.setOrRules(set);
    } else if (m instanceof Matcher.Not not) {
      b.setNotRule(permission(not.matcher()));
    } else if (m instanceof Matcher.Header h) {
      b.setHeader(header(h));
    } else if (m instanceof Matcher.HeaderRegex h) {
      b.setHeader(regexHeader(h));
    } else if (m instanceof Matcher.Path p) {
      b.setUrlPath(PathMatcher.newBuilder().setPath(string(p.pattern())));
    } else if (m instanceof Matcher.PathTemplate t) {
      b.setUriTemplate(
          TypedExtensionConfig.newBuilder()
              .setName(URI_TEMPLATE)
              .setTypedConfig(
                  Any.pack(
                      UriTemplateMatchConfig.newBuilder().setPathTemplate(t.template()).build())));
    } else if (m instanceof Matcher.DestinationPort d) {
      b.setDestinationPort(d.port());
    } else if (m instanceof Matcher.DestinationIp d) {
      b.setDestinationIp(cidr(d.range()));
    } else if (m instanceof Matcher.Sni s) {
      b.setRequestedServerName(string(s.pattern()));
    } else if (m instanceof Matcher.Metadata md) {
      b.setMetadata(metadata(md));
    } else {
      throw new IllegalArgumentException(m.getClass().getSimpleName() + " is not a permission");
    }
    return b.build();
  }

  static Principal principal(Matcher m) {
    Principal.Builder b = Principal.newBuilder();
    if (m instanceof Matcher.Any) {
      b.setAny(true);
    } else if (m instanceof Matcher.And and) {
      Principal.Set.Builder set = Principal.Set.newBuilder();
      and.all().forEach(x -> set.addIds(principal(x)));
      b.setAndIds(set);
    } else if (m instanceof Matcher.Or or) {
      Principal.Set.Builder set = Principal.Set.newBuilder();
      or.any().forEach(x -> set.addIds(principal(x)));
      b.setOrIds(set);
    } else if (m instanceof Matcher.Not not) {
      b.setNotId(principal(not.matcher()));
    } else if (m instanceof Matcher.Header h) {
      b.setHeader(header(h));
    } else if (m instanceof Matcher.HeaderRegex h) {
      b.setHeader(regexHeader(h));
    } else if (m instanceof Matcher.SourceIp s && s.direct()) {
      b.setDirectRemoteIp(cidr(s.range()));
    } else if (m instanceof Matcher.SourceIp s) {
      b.setRemoteIp(cidr(s.range()));
    } else if (m instanceof Matcher.Authenticated a) {
      b.setAuthenticated(
          Principal.Authenticated.newBuilder().setPrincipalName(string(a.principal())));
    } else if (m instanceof Matcher.Metadata md) {
      b.setMetadata(metadata(md));
    } else {
      throw new IllegalArgumentException(m.getClass().getSimpleName() + " is not a principal");
    }
    return b.build();
  }

  private static HeaderMatcher header(Matcher.Header h) {
    HeaderMatcher.Builder b = HeaderMatcher.newBuilder().setName(h.name());
    if (h.pattern() == null) {
      b.setPresentMatch(true);
    } else {
      b.setStringMatch(string(h.pattern()));
    }
    return b.build();
  }

  /** Maistra's form: the pattern as written, in the header matcher's own regex field. */
  private static HeaderMatcher regexHeader(Matcher.HeaderRegex h) {
    return HeaderMatcher.newBuilder()
        .setName(h.name())
        .setSafeRegexMatch(RegexMatcher.newBuilder().setRegex(h.regex()))
        .build();
  }

  static StringMatcher string(StringPattern p) {
    StringMatcher.Builder b = StringMatcher.newBuilder();
    switch (p.kind()) {
      case EXACT -> b.setExact(p.value());
      case PREFIX -> b.setPrefix(p.value());
      case SUFFIX -> b.setSuffix(p.value());
      case REGEX -> b.setSafeRegex(RegexMatcher.newBuilder().setRegex(p.value()));
    }
    if (p.ignoreCase()) {
      b.setIgnoreCase(true);
    }
    return b.build();
  }

  private static CidrRange cidr(Cidr c) {
    return CidrRange.newBuilder()
        .setAddressPrefix(c.address())
        .setPrefixLen(UInt32Value.of(c.prefixLength()))
        .build();
  }

  private static MetadataMatcher metadata(Matcher.Metadata m) {
    MetadataMatcher.Builder b = MetadataMatcher.newBuilder().setFilter(m.filter());
    for (String key : m.path()) {
      b.addPath(MetadataMatcher.PathSegment.newBuilder().setKey(key));
    }
    return b.setValue(value(m.value())).build();
  }

  private static ValueMatcher value(ValueMatch v) {
    ValueMatcher.Builder b = ValueMatcher.newBuilder();
    if (v instanceof ValueMatch.Text t) {
      b.setStringMatch(string(t.pattern()));
    } else if (v instanceof ValueMatch.AnyOf any) {
      OrMatcher.Builder or = OrMatcher.newBuilder();
      any.any().forEach(x -> or.addValueMatchers(value(x)));
      b.setOrMatch(or);
    } else if (v instanceof ValueMatch.ListContains l) {
      b.setListMatch(ListMatcher.newBuilder().setOneOf(value(l.element())));
    }
    return b.build();
  }
}
