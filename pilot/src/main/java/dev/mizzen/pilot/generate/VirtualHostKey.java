package dev.mizzen.pilot.generate;

import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.DestinationRuleSpec;
import dev.mizzen.ingest.model.VirtualServiceSpec;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a sidecar's or gRPC client's virtual host for a service port is built from that can
 * differ between groups of proxies: two groups with equal keys are served one virtual host, built
 * once per push. Config objects are compared by identity (see {@link Identity}): the push context
 * hands out one instance of each.
 *
 * @param grpc whether the host is for proxyless gRPC clients, which are sent fewer fields
 * @param host the service's host name
 * @param port the service port
 * @param domains the names requests may use for the service, as the viewer may use them
 * @param virtualService the VirtualService routing the host that the viewer sees, if any
 * @param destinationRules the DestinationRule the viewer sees for each destination of the routes in
 *     their order, or for the service itself when no VirtualService routes it
 * @param source the viewer's namespace and labels, present only when a route's match selects on the
 *     source
 */
record VirtualHostKey(
    boolean grpc,
    String host,
    int port,
    List<String> domains,
    Identity<Config<VirtualServiceSpec>> virtualService,
    List<Identity<Config<DestinationRuleSpec>>> destinationRules,
    Optional<Source> source) {
  VirtualHostKey {
    Objects.requireNonNull(host, "host");
    domains = List.copyOf(domains);
    Objects.requireNonNull(virtualService, "virtualService");
    destinationRules = List.copyOf(destinationRules);
    Objects.requireNonNull(source, "source");
  }

  /** The proxies a route's match may select on: their namespace and labels. */
  record Source(String namespace, Map<String, String> labels) {
    Source {
      Objects.requireNonNull(namespace, "namespace");
      labels = Map.copyOf(labels);
    }
  }
}
