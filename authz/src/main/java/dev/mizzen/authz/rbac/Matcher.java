package dev.mizzen.authz.rbac;

import java.util.List;
import java.util.Objects;

/**
 * The intermediate model between an AuthorizationPolicy rule and Envoy's RBAC: a tree of small
 * matchers, each one Envoy Permission or Principal. Which of the two a matcher becomes depends on
 * where it stands in a {@link GeneratedRule}; those that exist on one side only say so.
 */
public sealed interface Matcher {

  /** Matches everything. */
  record Any() implements Matcher {}

  /** Matches when all match; an empty list matches everything. */
  record And(List<Matcher> all) implements Matcher {
    public And {
      all = List.copyOf(all);
    }
  }

  /** Matches when one matches. */
  record Or(List<Matcher> any) implements Matcher {
    public Or {
      any = List.copyOf(any);
    }
  }

  /** Matches when {@code matcher} does not. */
  record Not(Matcher matcher) implements Matcher {
    public Not {
      Objects.requireNonNull(matcher);
    }
  }

  /**
   * A request header (including pseudo-headers such as :authority and :method).
   *
   * @param pattern how its value is compared; null means "is present"
   */
  record Header(String name, StringPattern pattern) implements Matcher {
    public Header {
      Objects.requireNonNull(name);
    }
  }

  /** Maistra's request.regex.headers: a header whose value RE2 matches, used verbatim. */
  record HeaderRegex(String name, String regex) implements Matcher {
    public HeaderRegex {
      Objects.requireNonNull(name);
      Objects.requireNonNull(regex);
    }
  }

  /** The request path, without its query (permission only). */
  record Path(StringPattern pattern) implements Matcher {
    public Path {
      Objects.requireNonNull(pattern);
    }
  }

  /**
   * The request path against an Envoy URI template such as "/api/*&#47;items" (permission only).
   */
  record PathTemplate(String template) implements Matcher {
    public PathTemplate {
      Objects.requireNonNull(template);
    }
  }

  /** The port the connection came to (permission only). */
  record DestinationPort(int port) implements Matcher {}

  /** The address the connection came to (permission only). */
  record DestinationIp(Cidr range) implements Matcher {
    public DestinationIp {
      Objects.requireNonNull(range);
    }
  }

  /** The TLS server name the client asked for (permission only). */
  record Sni(StringPattern pattern) implements Matcher {
    public Sni {
      Objects.requireNonNull(pattern);
    }
  }

  /**
   * The peer's address (principal only).
   *
   * @param direct the connection's peer (ipBlocks, source.ip) rather than the original client
   *     (remoteIpBlocks, remote.ip)
   */
  record SourceIp(Cidr range, boolean direct) implements Matcher {
    public SourceIp {
      Objects.requireNonNull(range);
    }
  }

  /** The URI SAN of the peer's mTLS certificate (principal only). */
  record Authenticated(StringPattern principal) implements Matcher {
    public Authenticated {
      Objects.requireNonNull(principal);
    }
  }

  /** Dynamic metadata another filter left, such as the JWT payload jwt_authn verified. */
  record Metadata(String filter, List<String> path, ValueMatch value) implements Matcher {
    public Metadata {
      Objects.requireNonNull(filter);
      path = List.copyOf(path);
      Objects.requireNonNull(value);
    }
  }

  /** How a metadata value is compared: Envoy's ValueMatcher, before it is one. */
  sealed interface ValueMatch {
    /** A string value. */
    record Text(StringPattern pattern) implements ValueMatch {
      public Text {
        Objects.requireNonNull(pattern);
      }
    }

    /** One of several. */
    record AnyOf(List<ValueMatch> any) implements ValueMatch {
      public AnyOf {
        any = List.copyOf(any);
      }
    }

    /** A list value with an element that matches. */
    record ListContains(ValueMatch element) implements ValueMatch {
      public ListContains {
        Objects.requireNonNull(element);
      }
    }
  }
}
