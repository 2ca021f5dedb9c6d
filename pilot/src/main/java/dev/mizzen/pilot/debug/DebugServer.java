package dev.mizzen.pilot.debug;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.google.common.util.concurrent.ThreadFactoryBuilder;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.mizzen.pilot.control.PushPipeline;
import dev.mizzen.pilot.metrics.PilotMetrics;
import dev.mizzen.pilot.xds.ProxyConnection;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * istiod's debug endpoints, with istiod's paths and JSON field names, so that Kiali and people's
 * scripts work unchanged. Everything shown is this control plane's members' and nothing else.
 * {@code /debug/*} is readable from loopback, or with the bearer token; {@code /ready}, {@code
 * /version} and {@code /metrics} are open, as istiod's are, for probes and scrapers.
 */
public final class DebugServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DebugServer.class);
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * An endpoint: its path, what it shows, whether anyone may read it (probes and scrapers) or only
   * those {@link DebugAccess} admits, and how it answers.
   */
  private record Endpoint(String path, String help, boolean open, Handler handler) {
    Endpoint(String path, String help, Handler handler) {
      this(path, help, false, handler);
    }
  }

  @FunctionalInterface
  private interface Handler {
    void handle(HttpExchange ex, Map<String, String> query) throws IOException;
  }

  private final HttpServer server;
  private final ExecutorService executor;

  private DebugServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * @param ready whether the control plane is ready to serve proxies
   * @param access who may read /debug
   * @param metrics the metrics, for the dashboard and, when {@code serveMetrics}, for /metrics
   * @param serveMetrics whether to serve /metrics (istiod does on the monitoring port only)
   * @param version Mizzen's version, for /version and syncz
   */
  public static DebugServer start(
      InetSocketAddress address,
      PushPipeline pipeline,
      BooleanSupplier ready,
      DebugAccess access,
      PilotMetrics metrics,
      boolean serveMetrics,
      String version)
      throws IOException {
    return start(address, pipeline, ready, access, metrics, serveMetrics, version, null);
  }

  /**
   * As the other {@code start}, with {@code ca} for {@code /debug/caz}: what the mesh's CA says of
   * itself, null when Mizzen is not the CA.
   */
  public static DebugServer start(
      InetSocketAddress address,
      PushPipeline pipeline,
      BooleanSupplier ready,
      DebugAccess access,
      PilotMetrics metrics,
      boolean serveMetrics,
      String version,
      Supplier<Map<String, Object>> ca)
      throws IOException {
    HttpLimits.install();
    HttpServer server = HttpServer.create(address, 64);
    ExecutorService executor =
        Executors.newFixedThreadPool(
            HttpLimits.WORKERS,
            new ThreadFactoryBuilder().setNameFormat("mizzen-debug-http").setDaemon(true).build());
    server.setExecutor(executor);
    ProxyViews proxies = new ProxyViews(pipeline.streams(), pipeline.rejections(), version);
    ConfigViews config = new ConfigViews(pipeline, metrics);
    List<Endpoint> endpoints = new ArrayList<>();
    endpoints.add(
        new Endpoint(
            "/debug/syncz",
            "Synchronization status of every connected proxy",
            (ex, q) -> json(ex, proxies.syncz(q))));
    endpoints.add(
        new Endpoint(
            "/debug/adsz",
            "Connected proxies with their metadata and watches",
            (ex, q) -> json(ex, proxies.adsz(q))));
    endpoints.add(
        new Endpoint(
            "/debug/connections",
            "Connected proxies",
            (ex, q) -> json(ex, proxies.connections(q))));
    endpoints.add(
        new Endpoint(
            "/debug/config_dump",
            "The config served to one proxy (proxyID=, types=)",
            (ex, q) -> configDump(ex, q, pipeline)));
    endpoints.add(
        new Endpoint(
            "/debug/configz",
            "The config as ingested, with refusals and warnings",
            (ex, q) -> json(ex, config.configz(q))));
    endpoints.add(
        new Endpoint(
            "/debug/analyze",
            "What the analyzers found in the last push, as mizzen analyze prints it (namespace=)",
            (ex, q) -> json(ex, config.analyze(q))));
    endpoints.add(
        new Endpoint(
            "/debug/registryz",
            "The services of the member namespaces",
            (ex, q) -> json(ex, config.registryz(q))));
    endpoints.add(
        new Endpoint(
            "/debug/endpointz",
            "The endpoints of every service port",
            (ex, q) -> json(ex, config.endpointz(q))));
    endpoints.add(
        new Endpoint(
            "/debug/push_status", "The last push", (ex, q) -> json(ex, config.pushStatus())));
    AuthorizationViews authz = new AuthorizationViews(pipeline);
    endpoints.add(
        new Endpoint(
            "/debug/authorizationz",
            "Authorization policies per workload; with proxyID, method, path and header, which rule decides a request",
            (ex, q) -> {
              AuthorizationViews.Answer a = authz.authorizationz(multiQuery(ex));
              send(ex, a.status(), "application/json", JSON.writeValueAsString(a.body()) + "\n");
            }));
    endpoints.add(
        new Endpoint(
            "/debug/caz",
            "The mesh's CA: its root, the secure port's certificate, certificates issued and refused by reason",
            (ex, q) -> json(ex, ca == null ? Map.of("enabled", false) : ca.get())));
    List<Map<String, String>> list = new ArrayList<>();
    for (Endpoint e : endpoints) {
      list.add(Map.of("path", e.path(), "help", e.help()));
    }
    endpoints.add(new Endpoint("/debug/list", "Every debug endpoint", (ex, q) -> json(ex, list)));
    endpoints.add(
        new Endpoint(
            "/debug",
            "This control plane at a glance (HTML)",
            (ex, q) -> send(ex, 200, "text/html", Dashboard.html())));
    endpoints.add(
        new Endpoint(
            "/ready",
            "200 once serving proxies",
            true,
            (ex, q) -> {
              boolean ok = ready.getAsBoolean();
              send(ex, ok ? 200 : 503, "text/plain", ok ? "ready\n" : "not ready\n");
            }));
    endpoints.add(
        new Endpoint(
            "/version",
            "Mizzen's version",
            true,
            (ex, q) -> {
              Map<String, Object> v = new LinkedHashMap<>();
              v.put("version", version);
              v.put("tag", version);
              v.put("status", "Clean");
              json(ex, v);
            }));
    if (serveMetrics) {
      endpoints.add(
          new Endpoint(
              "/metrics",
              "Prometheus metrics",
              true,
              (ex, q) -> send(ex, 200, "text/plain; version=0.0.4", metrics.scrape())));
    }
    Map<String, Endpoint> byPath = new LinkedHashMap<>();
    endpoints.forEach(e -> byPath.put(e.path(), e));
    server.createContext("/", ex -> dispatch(ex, byPath, access));
    server.start();
    return new DebugServer(server, executor);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /**
   * Answers one request: who asks is checked before anything else, so a caller without the right
   * learns nothing, not even which paths exist (401 for every path but the open ones, whatever the
   * method); then the path (404) and the method (405: every endpoint reads, GET or HEAD).
   */
  private static void dispatch(HttpExchange ex, Map<String, Endpoint> byPath, DebugAccess access)
      throws IOException {
    try (ex) {
      Endpoint e = byPath.get(ex.getRequestURI().getPath());
      if (e == null || !e.open()) {
        switch (access.decide(
            ex.getRemoteAddress(), ex.getRequestHeaders().getFirst("Authorization"))) {
          case UNAUTHENTICATED -> {
            ex.getResponseHeaders().set("WWW-Authenticate", "Bearer");
            send(
                ex,
                401,
                "text/plain",
                "authentication required: send Authorization: Bearer <token>\n");
            return;
          }
          case FORBIDDEN -> {
            send(ex, 403, "text/plain", "the token is not valid\n");
            return;
          }
          case ALLOW -> {}
        }
      }
      if (e == null) {
        send(ex, 404, "text/plain", "not found\n");
        return;
      }
      String method = ex.getRequestMethod();
      if (!method.equals("GET") && !method.equals("HEAD")) {
        ex.getResponseHeaders().set("Allow", "GET, HEAD");
        send(ex, 405, "text/plain", "method " + method + " not allowed: GET or HEAD\n");
        return;
      }
      e.handler().handle(ex, query(ex));
    } catch (RuntimeException err) {
      log.error("debug endpoint {} failed", ex.getRequestURI().getPath(), err);
      send(ex, 500, "text/plain", "internal error: " + err + "\n");
    }
  }

  private static void configDump(HttpExchange ex, Map<String, String> q, PushPipeline pipeline)
      throws IOException {
    String id = q.getOrDefault("proxyID", "");
    if (id.isEmpty()) {
      send(ex, 400, "text/plain", "the proxyID parameter is required\n");
      return;
    }
    Optional<ProxyConnection> conn = pipeline.streams().find(id);
    if (conn.isEmpty()) {
      send(ex, 404, "text/plain", "proxy " + id + " is not connected\n");
      return;
    }
    Set<String> types = new LinkedHashSet<>();
    if (q.containsKey("types") && !q.get("types").isEmpty()) {
      types.addAll(Arrays.asList(q.get("types").split(",")));
    }
    send(
        ex,
        200,
        "application/json",
        ConfigDumps.json(ConfigDumps.dump(pipeline.streams(), conn.get(), types)) + "\n");
  }

  private static void json(HttpExchange ex, Object body) throws IOException {
    send(ex, 200, "application/json", JSON.writeValueAsString(body) + "\n");
  }

  static Map<String, String> query(HttpExchange ex) {
    Map<String, String> q = new LinkedHashMap<>();
    String raw = ex.getRequestURI().getRawQuery();
    if (raw == null) {
      return q;
    }
    for (String part : raw.split("&")) {
      int eq = part.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
      q.merge(k, v, (a, b) -> a + "," + b);
    }
    return q;
  }

  /** The query with every value of repeated parameters, such as {@code header=a:1&header=b:2}. */
  static Map<String, List<String>> multiQuery(HttpExchange ex) {
    Map<String, List<String>> q = new LinkedHashMap<>();
    String raw = ex.getRequestURI().getRawQuery();
    if (raw == null) {
      return q;
    }
    for (String part : raw.split("&")) {
      if (part.isEmpty()) {
        continue;
      }
      int eq = part.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
      q.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
    }
    return q;
  }

  static void send(HttpExchange ex, int status, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
    if (ex.getRequestMethod().equals("HEAD")) {
      ex.getResponseHeaders().set("Content-Length", String.valueOf(bytes.length));
      ex.sendResponseHeaders(status, -1);
      return;
    }
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
