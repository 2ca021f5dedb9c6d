package dev.mizzen.bench;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

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

  MeshGenerator(int services, int namespaces, int podsPerService) {
    this.services = services;
    this.namespaces = namespaces;
    this.podsPerService = podsPerService;
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
    StringBuilder addresses = new StringBuilder();
    for (int p = 0; p < podsPerService; p++) {
      String ip = "10." + (s / 250 + 1) + "." + (s % 250) + "." + (p + 1);
      String pod = name + "-" + p;
      String version = p % 2 == 0 ? "v1" : "v2";
      addresses
          .append("  - {ip: ")
          .append(ip)
          .append(", targetRef: {kind: Pod, name: ")
          .append(pod)
          .append("}}\n");
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
        "---\napiVersion: v1\nkind: Endpoints\nmetadata: {name: "
            + name
            + ", namespace: "
            + ns
            + "}\n");
    w.write("subsets:\n- addresses:\n" + addresses + "  ports: [{name: http, port: 8080}]\n");
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
