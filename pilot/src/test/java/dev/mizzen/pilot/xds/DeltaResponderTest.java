package dev.mizzen.pilot.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import dev.mizzen.pilot.cache.TypeResources;
import dev.mizzen.pilot.cache.TypeUrls;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class DeltaResponderTest {
  private static TypeState asking(Set<String> names) {
    TypeState s = new TypeState();
    s.delta = new TypeState.Delta();
    s.wildcard = false;
    s.requestedNames = names;
    s.awaiting = true;
    return s;
  }

  @Test
  void streamsInTheSameStateAreSentOneResponse() {
    SortedMap<String, Message> routes = new TreeMap<>();
    routes.put("8080", RouteConfiguration.newBuilder().setName("8080").build());
    TypeResources resources = new TypeResources("v1", routes);
    TypeState a = asking(Set.of("8080"));
    TypeState b = asking(Set.copyOf(Set.of("8080")));
    DeltaResponder.Prepared first = DeltaResponder.respond(a, resources, TypeUrls.ROUTE);
    DeltaResponder.Prepared second = DeltaResponder.respond(b, resources, TypeUrls.ROUTE);
    assertThat(first).isNotNull();
    assertThat(second).isSameAs(first);
    a.delta.acknowledged();
    b.delta.acknowledged();
    assertThat(a.delta.known).isSameAs(b.delta.known);
    assertThat(a.delta.known.version("8080")).isNotEmpty();
    // Nothing changed: nothing is due, and that too is found once.
    a.awaiting = true;
    b.awaiting = true;
    assertThat(DeltaResponder.respond(a, resources, TypeUrls.ROUTE)).isNull();
    assertThat(DeltaResponder.respond(b, resources, TypeUrls.ROUTE)).isNull();
  }

  @Test
  void streamsAskingAtTheSameMomentShareOneResponseMadeOnce() throws Exception {
    SortedMap<String, Message> routes = new TreeMap<>();
    for (int i = 0; i < 2000; i++) {
      routes.put("r" + i, RouteConfiguration.newBuilder().setName("r" + i).build());
    }
    TypeResources resources = new TypeResources("v1", routes);
    Set<String> names = Set.copyOf(routes.keySet());
    int streams = 8;
    CyclicBarrier start = new CyclicBarrier(streams);
    ExecutorService pool = Executors.newFixedThreadPool(streams);
    try {
      List<Future<DeltaResponder.Prepared>> sent = new ArrayList<>();
      for (int i = 0; i < streams; i++) {
        TypeState s = asking(names);
        sent.add(
            pool.submit(
                () -> {
                  start.await();
                  return DeltaResponder.respond(s, resources, TypeUrls.ROUTE);
                }));
      }
      DeltaResponder.Prepared first = sent.get(0).get();
      for (Future<DeltaResponder.Prepared> f : sent) {
        assertThat(f.get()).isSameAs(first);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
