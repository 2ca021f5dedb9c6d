package dev.mizzen.bench;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes a mesh of {@code services} services spread over {@code namespaces} namespaces, one file
 * per namespace: each service with an HTTP port, Endpoints and Pods in two versions, a
 * VirtualService with a header route and a weighted split, a DestinationRule with subsets and an
 * AuthorizationPolicy; optionally a namespace-scoped Sidecar per namespace.
 */
final class MeshGenerator {
  static final String CONTROL_PLANE = "istio-system";

  private final int services;
  private final int namespaces;
  private final int podsPerService;

  /** Each service's pods' IPs, as pods are replaced. */
  private final String[][] ips;

  private int replaced;

  MeshGenerator(int services, int namespaces, int podsPerService) {
    this.services = services;
    this.namespaces = namespaces;
    this.podsPerService = podsPerService;
    this.ips = new String[services][podsPerService];
    for (int s = 0; s < services; s++) {
      for (int p = 0; p < podsPerService; p++) {
        ips[s][p] = "10." + (s / 250 + 1) + "." + (s % 250) + "." + (p + 1);
      }
    }
  }

  int services() {
    return services;
  }

  int pods() {
    return podsPerService;
  }

  String ip(int service, int pod) {
    return ips[service][pod];
  }

  /** The host of service {@code s}. */
  String host(int s) {
    return service(s) + "." + namespaceOf(s) + ".svc.cluster.local";
  }

  /**
   * Replaces pod {@code p} of service {@code s} as a rolling restart does (same labels, a new IP);
   * returns the new IP. {@link #writeEndpoints} then writes the service's slice. New IPs come from
   * 10.128.0.0/9, which the generated mesh does not otherwise use.
   */
  String replacePod(int s, int p) {
    int n = replaced++;
    ips[s][p] = "10." + (128 + n / 65536 % 128) + "." + (n / 256 % 256) + "." + (n % 256);
    return ips[s][p];
  }

  /** The file that holds service {@code s}'s EndpointSlice. */
  static Path endpointsFile(Path dir, int s) {
    return dir.resolve("endpoints-" + service(s) + ".yaml");
  }

  void writeEndpoints(Path dir, int s) throws IOException {
    String name = service(s);
    StringBuilder y =
        new StringBuilder("apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: ")
            .append(name)
            .append("-abcde, namespace: ")
            .append(namespaceOf(s))
            .append(", labels: {kubernetes.io/service-name: ")
            .append(name)
            .append(
                "}}\naddressType: IPv4\nports: [{name: http, port: 8080, protocol: TCP}]\nendpoints:\n");
    for (int p = 0; p < podsPerService; p++) {
      y.append("- addresses: [")
          .append(ips[s][p])
          .append("]\n  conditions: {ready: true}\n  targetRef: {kind: Pod, name: ")
          .append(name)
          .append('-')
          .append(p)
          .append("}\n");
    }
    // Written whole and moved in place, so that the source never reads half a file.
    Path file = endpointsFile(dir, s);
    Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
    Files.writeString(tmp, y);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  static String namespace(int i) {
    return "bench-" + i;
  }

  static String service(int i) {
    return "svc-" + i;
  }

  /** The namespace of service {@code i}. */
  String namespaceOf(int service) {
    return namespace(service % namespaces);
  }

  /**
   * @param sidecars whether each namespace gets a Sidecar that scopes its proxies to their own
   *     namespace and the control plane's
   */
  void write(Path dir, boolean sidecars) throws IOException {
    Files.createDirectories(dir);
    try (Writer w = Files.newBufferedWriter(dir.resolve("mesh.yaml"), StandardCharsets.UTF_8)) {
      w.write(
          "apiVersion: maistra.io/v1\nkind: ServiceMeshMemberRoll\nmetadata: {name: default, namespace: "
              + CONTROL_PLANE
              + "}\nspec:\n  members:\n");
      for (int n = 0; n < namespaces; n++) {
        w.write("  - " + namespace(n) + "\n");
      }
      for (int n = 0; n < namespaces; n++) {
        w.write("---\napiVersion: v1\nkind: Namespace\nmetadata: {name: " + namespace(n) + "}\n");
        if (sidecars) {
          w.write(
              "---\napiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: default, namespace: "
                  + namespace(n)
                  + "}\n"
                  + "spec:\n  egress:\n  - hosts: [\"./*\", \""
                  + CONTROL_PLANE
                  + "/*\"]\n");
        }
      }
    }
    for (int n = 0; n < namespaces; n++) {
      try (Writer w =
          Files.newBufferedWriter(dir.resolve(namespace(n) + ".yaml"), StandardCharsets.UTF_8)) {
        for (int s = n; s < services; s += namespaces) {
          writeService(w, s);
        }
      }
    }
    // Each service's endpoints in a file of their own, as the EndpointSlice controller keeps a
    // slice per service: replacing a pod rewrites that file alone.
    for (int s = 0; s < services; s++) {
      writeEndpoints(dir, s);
    }
  }

  private void writeService(Writer w, int s) throws IOException {
    String ns = namespaceOf(s);
    String name = service(s);
    String vip = "172.30." + (s / 250) + "." + (s % 250 + 1);
    w.write(
        "---\napiVersion: v1\nkind: Service\nmetadata: {name: "
            + name
            + ", namespace: "
            + ns
            + "}\n");
    w.write(
        "spec:\n  clusterIP: "
            + vip
            + "\n  selector: {app: "
            + name
            + "}\n  ports: [{name: http, port: 8080}]\n");
    for (int p = 0; p < podsPerService; p++) {
      String ip = ips[s][p];
      String pod = name + "-" + p;
      String version = p % 2 == 0 ? "v1" : "v2";
      w.write(
          "---\napiVersion: v1\nkind: Pod\nmetadata: {name: "
              + pod
              + ", namespace: "
              + ns
              + ", labels: {app: "
              + name
              + ", version: "
              + version
              + "}}\nstatus: {podIP: "
              + ip
              + "}\n");
    }
    w.write(
        "---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: "
            + name
            + ", namespace: "
            + ns
            + "}\n");
    w.write(
        "spec:\n  host: "
            + name
            + "\n  subsets:\n  - {name: v1, labels: {version: v1}}\n  - {name: v2, labels: {version: v2}}\n");
    w.write(virtualService(s, 80));
    // Who may call it: its own namespace, reading and writing under /api.
    w.write(
        "---\napiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: "
            + name
            + ", namespace: "
            + ns
            + "}\n"
            + "spec:\n  selector: {matchLabels: {app: "
            + name
            + "}}\n  action: ALLOW\n  rules:\n"
            + "  - from: [{source: {namespaces: ["
            + ns
            + "]}}]\n    to: [{operation: {methods: [GET, POST], paths: [\"/api/*\"]}}]\n");
  }

  /** The VirtualService of service {@code s}, with {@code v1Weight} percent to v1. */
  String virtualService(int s, int v1Weight) {
    String ns = namespaceOf(s);
    String name = service(s);
    return "---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: "
        + name
        + ", namespace: "
        + ns
        + "}\n"
        + "spec:\n  hosts: ["
        + name
        + "]\n  http:\n"
        + "  - match: [{headers: {x-canary: {exact: \"true\"}}}]\n    route: [{destination: {host: "
        + name
        + ", subset: v2}}]\n"
        + "  - route:\n    - destination: {host: "
        + name
        + ", subset: v1}\n      weight: "
        + v1Weight
        + "\n    - destination: {host: "
        + name
        + ", subset: v2}\n      weight: "
        + (100 - v1Weight)
        + "\n";
  }
}
