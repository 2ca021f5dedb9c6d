package dev.mizzen.authz.explain;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.re2j.Pattern;
import io.envoyproxy.envoy.config.core.v3.CidrRange;
import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.extensions.path.match.uri_template.v3.UriTemplateMatchConfig;
import io.envoyproxy.envoy.type.matcher.v3.MetadataMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.matcher.v3.ValueMatcher;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;

/**
 * Decides whether one Envoy RBAC policy matches a described request, as Envoy's RBAC filter would:
 * the same protos the proxy is sent, read with the same meaning. What the description does not say
 * (no peer identity, no JWT claims) is absent, as it is for a plain-text request without a token.
 */
public final class RbacEvaluator {
  private static final String JWT_FILTER = "envoy.filters.http.jwt_authn";

  private RbacEvaluator() {}

  /** Whether one of the policy's permissions and one of its principals match. */
  public static boolean matches(Policy policy, RequestDescription r) {
    boolean permitted = false;
    for (Permission p : policy.getPermissionsList()) {
      if (permission(p, r)) {
        permitted = true;
        break;
      }
    }
    if (!permitted) {
      return false;
    }
    for (Principal p : policy.getPrincipalsList()) {
      if (principal(p, r)) {
        return true;
      }
    }
    return false;
  }

  static boolean permission(Permission p, RequestDescription r) {
    return switch (p.getRuleCase()) {
      case AND_RULES -> p.getAndRules().getRulesList().stream().allMatch(x -> permission(x, r));
      case OR_RULES -> p.getOrRules().getRulesList().stream().anyMatch(x -> permission(x, r));
      case ANY -> p.getAny();
      case NOT_RULE -> !permission(p.getNotRule(), r);
      case HEADER -> header(p.getHeader(), r);
      case URL_PATH ->
          p.getUrlPath().hasPath() && string(p.getUrlPath().getPath(), pathOnly(r.path()));
      case URI_TEMPLATE -> uriTemplate(p, r);
      case DESTINATION_PORT -> p.getDestinationPort() == r.destinationPort();
      case DESTINATION_PORT_RANGE ->
          r.destinationPort() >= p.getDestinationPortRange().getStart()
              && r.destinationPort() < p.getDestinationPortRange().getEnd();
      case DESTINATION_IP -> inRange(p.getDestinationIp(), r.destinationIp());
      case REQUESTED_SERVER_NAME -> string(p.getRequestedServerName(), r.sni());
      case METADATA -> metadata(p.getMetadata(), r);
      default -> false;
    };
  }

  static boolean principal(Principal p, RequestDescription r) {
    return switch (p.getIdentifierCase()) {
      case AND_IDS -> p.getAndIds().getIdsList().stream().allMatch(x -> principal(x, r));
      case OR_IDS -> p.getOrIds().getIdsList().stream().anyMatch(x -> principal(x, r));
      case ANY -> p.getAny();
      case NOT_ID -> !principal(p.getNotId(), r);
      case HEADER -> header(p.getHeader(), r);
      case URL_PATH ->
          p.getUrlPath().hasPath() && string(p.getUrlPath().getPath(), pathOnly(r.path()));
      case AUTHENTICATED ->
          !r.sourcePrincipal().isEmpty()
              && (!p.getAuthenticated().hasPrincipalName()
                  || string(p.getAuthenticated().getPrincipalName(), r.sourcePrincipal()));
      case DIRECT_REMOTE_IP -> inRange(p.getDirectRemoteIp(), r.sourceIp());
      case REMOTE_IP -> inRange(p.getRemoteIp(), r.remoteIp());
      case METADATA -> metadata(p.getMetadata(), r);
      default -> false;
    };
  }

  private static boolean header(HeaderMatcher h, RequestDescription r) {
    String value = r.header(h.getName().toLowerCase(Locale.ROOT));
    boolean result;
    if (value == null) {
      result =
          h.getHeaderMatchSpecifierCase() == HeaderMatcher.HeaderMatchSpecifierCase.PRESENT_MATCH
              && !h.getPresentMatch();
    } else {
      result =
          switch (h.getHeaderMatchSpecifierCase()) {
            case PRESENT_MATCH -> h.getPresentMatch();
            case STRING_MATCH -> string(h.getStringMatch(), value);
            case SAFE_REGEX_MATCH ->
                Pattern.compile(h.getSafeRegexMatch().getRegex()).matches(value);
            case EXACT_MATCH -> value.equals(h.getExactMatch());
            case PREFIX_MATCH -> value.startsWith(h.getPrefixMatch());
            case SUFFIX_MATCH -> value.endsWith(h.getSuffixMatch());
            case CONTAINS_MATCH -> value.contains(h.getContainsMatch());
            default -> false;
          };
    }
    return h.getInvertMatch() != result;
  }

  static boolean string(StringMatcher m, String value) {
    if (value == null) {
      return false;
    }
    String v = m.getIgnoreCase() ? value.toLowerCase(Locale.ROOT) : value;
    return switch (m.getMatchPatternCase()) {
      case EXACT ->
          v.equals(m.getIgnoreCase() ? m.getExact().toLowerCase(Locale.ROOT) : m.getExact());
      case PREFIX ->
          v.startsWith(m.getIgnoreCase() ? m.getPrefix().toLowerCase(Locale.ROOT) : m.getPrefix());
      case SUFFIX ->
          v.endsWith(m.getIgnoreCase() ? m.getSuffix().toLowerCase(Locale.ROOT) : m.getSuffix());
      case CONTAINS ->
          v.contains(
              m.getIgnoreCase() ? m.getContains().toLowerCase(Locale.ROOT) : m.getContains());
      case SAFE_REGEX -> Pattern.compile(m.getSafeRegex().getRegex()).matches(value);
      default -> false;
    };
  }

  private static boolean uriTemplate(Permission p, RequestDescription r) {
    try {
      UriTemplateMatchConfig t =
          p.getUriTemplate().getTypedConfig().unpack(UriTemplateMatchConfig.class);
      return UriTemplates.matches(t.getPathTemplate(), pathOnly(r.path()));
    } catch (InvalidProtocolBufferException e) {
      return false;
    }
  }

  private static boolean metadata(MetadataMatcher m, RequestDescription r) {
    if (!JWT_FILTER.equals(m.getFilter())
        || m.getPathCount() < 2
        || !"payload".equals(m.getPath(0).getKey())) {
      return false;
    }
    StringBuilder claim = new StringBuilder();
    for (int i = 1; i < m.getPathCount(); i++) {
      if (i > 1) {
        claim.append('.');
      }
      claim.append(m.getPath(i).getKey());
    }
    List<String> values = r.claims().get(claim.toString());
    if (values == null) {
      return m.getInvert();
    }
    boolean result =
        values.size() == 1
            ? value(m.getValue(), values.get(0), values)
            : value(m.getValue(), null, values);
    return m.getInvert() != result;
  }

  /**
   * @param single the claim as a string, or null when it is a list
   * @param list the claim's elements
   */
  private static boolean value(ValueMatcher v, String single, List<String> list) {
    return switch (v.getMatchPatternCase()) {
      case STRING_MATCH -> single != null && string(v.getStringMatch(), single);
      case OR_MATCH ->
          v.getOrMatch().getValueMatchersList().stream().anyMatch(x -> value(x, single, list));
      case LIST_MATCH ->
          list.stream().anyMatch(e -> value(v.getListMatch().getOneOf(), e, List.of(e)));
      case PRESENT_MATCH -> v.getPresentMatch();
      default -> false;
    };
  }

  private static String pathOnly(String path) {
    int q = path.indexOf('?');
    return q < 0 ? path : path.substring(0, q);
  }

  static boolean inRange(CidrRange range, String ip) {
    if (ip == null || ip.isEmpty()) {
      return false;
    }
    try {
      byte[] a = literal(ip);
      byte[] p = literal(range.getAddressPrefix());
      if (a == null || p == null || a.length != p.length) {
        return false;
      }
      int bits = a.length * 8;
      int len = range.hasPrefixLen() ? range.getPrefixLen().getValue() : bits;
      if (len == 0) {
        return true;
      }
      BigInteger mask =
          BigInteger.ONE
              .shiftLeft(bits)
              .subtract(BigInteger.ONE)
              .shiftRight(bits - len)
              .shiftLeft(bits - len);
      return new BigInteger(1, a).and(mask).equals(new BigInteger(1, p).and(mask));
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** The bytes of an IP literal; never a name lookup. */
  private static byte[] literal(String ip) throws UnknownHostException {
    if (!ip.contains(":") && !ip.matches("[0-9.]+")) {
      return null;
    }
    return InetAddress.getByName(ip).getAddress();
  }
}
