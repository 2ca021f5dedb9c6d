package dev.mizzen.openshift.ior;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RouteHostTest {

  @Test
  void aPlainHostIsUsedAsWritten() {
    RouteHost h = RouteHost.of("foo.example.com");
    assertThat(h.host()).isEqualTo("foo.example.com");
    assertThat(h.subdomain()).isFalse();
    assertThat(h.catchAll()).isFalse();
    assertThat(h.routeName("a1", "gw")).isEqualTo("a1-gw-45a335de");
    assertThat(RouteHost.problem("foo.example.com")).isEmpty();
  }

  @Test
  void theCatchAllHasNoHost() {
    RouteHost h = RouteHost.of("*");
    assertThat(h.host()).isEmpty();
    assertThat(h.catchAll()).isTrue();
    assertThat(h.routeName("a1", "gw")).isEqualTo("a1-gw-684888c0");
    assertThat(RouteHost.problem("*")).isEmpty();
  }

  @Test
  void aWildcardBecomesASubdomainRoute() {
    RouteHost h = RouteHost.of("*.example.com");
    assertThat(h.host()).isEqualTo("wildcard.example.com");
    assertThat(h.subdomain()).isTrue();
    assertThat(h.routeName("a1", "gw")).isEqualTo("a1-gw-47287a8f");
  }

  @Test
  void theNamespacePartIsDropped() {
    RouteHost h = RouteHost.of("a2/bar.example.com");
    assertThat(h.written()).isEqualTo("a2/bar.example.com");
    assertThat(h.host()).isEqualTo("bar.example.com");
    assertThat(h.routeName("a1", "gw")).isEqualTo("a1-gw-f2428e60");
    assertThat(RouteHost.of("./*").catchAll()).isTrue();
    assertThat(RouteHost.of("*/*.example.com").host()).isEqualTo("wildcard.example.com");
  }

  @Test
  void hostsNoRouteAcceptsAreRefusedWithTheReason() {
    assertThat(RouteHost.problem("Foo.example.com"))
        .hasValue(
            "\"Foo.example.com\" is not a host name a Route accepts (lower-case letters, digits, '-' and '.', at most 253"
                + " characters, a wildcard only as the whole first label)");
    assertThat(RouteHost.problem("a1/foo.*.com"))
        .get()
        .asString()
        .startsWith("\"foo.*.com\" is not a host name");
    assertThat(RouteHost.problem("foo_bar.com")).isPresent();
    assertThat(RouteHost.problem("-foo.com")).isPresent();
  }
}
