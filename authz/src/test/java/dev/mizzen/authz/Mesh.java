package dev.mizzen.authz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.Kind;
import dev.mizzen.ingest.model.Spec;
import dev.mizzen.ingest.parse.ManifestParser;
import dev.mizzen.ingest.parse.ParseResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Builds an {@link Authorization} from manifests, for tests; the control plane is istio-system. */
final class Mesh {
  private Mesh() {}

  static Authorization of(String yaml, String... serviceHosts) {
    List<Config<?>> all = new ArrayList<>();
    for (ParseResult r : new ManifestParser().parse("mesh.yaml", yaml)) {
      assertThat(r.isServed()).as(String.valueOf(r.error())).isTrue();
      all.add(r.config());
    }
    return Authorization.build(
        new AuthzInputs(
            "istio-system",
            "istio-system",
            of(all, Kind.AUTHORIZATION_POLICY),
            of(all, Kind.PEER_AUTHENTICATION),
            of(all, Kind.REQUEST_AUTHENTICATION),
            of(all, Kind.SERVICE_MESH_POLICY),
            of(all, Kind.SERVICE_MESH_RBAC_CONFIG),
            Set.of(serviceHosts)));
  }

  static Workload workload(String namespace, Map<String, String> labels, String... services) {
    return new Workload(namespace, labels, Set.of(services));
  }

  @SuppressWarnings("unchecked")
  private static <S extends Spec> List<Config<S>> of(List<Config<?>> all, Kind<S> kind) {
    List<Config<S>> out = new ArrayList<>();
    for (Config<?> c : all) {
      if (c.kind() == kind) {
        out.add((Config<S>) c);
      }
    }
    return out;
  }
}
