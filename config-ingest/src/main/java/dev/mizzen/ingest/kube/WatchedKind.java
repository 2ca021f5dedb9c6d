package dev.mizzen.ingest.kube;

import dev.mizzen.ingest.model.Kind;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.Objects;

/**
 * One kind as the source watches it: the API group, the version chosen for this cluster, the
 * resource's plural and kind name.
 *
 * @param group the API group, empty for the core group
 * @param version the version to list and watch
 * @param plural the resource name in URLs
 * @param kindName the kind, as in objects' {@code kind}
 */
record WatchedKind(String group, String version, String plural, String kindName) {

  WatchedKind {
    Objects.requireNonNull(group);
    Objects.requireNonNull(version);
    Objects.requireNonNull(plural);
    Objects.requireNonNull(kindName);
  }

  static WatchedKind of(Kind<?> kind, String version) {
    return new WatchedKind(kind.group(), version, kind.plural(), kind.name());
  }

  String apiVersion() {
    return group.isEmpty() ? version : group + "/" + version;
  }

  ResourceDefinitionContext context() {
    return new ResourceDefinitionContext.Builder()
        .withGroup(group)
        .withVersion(version)
        .withPlural(plural)
        .withKind(kindName)
        .withNamespaced(true)
        .build();
  }

  @Override
  public String toString() {
    return plural + (group.isEmpty() ? "" : "." + group) + "/" + version;
  }
}
