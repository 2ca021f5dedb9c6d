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

  /** A debug endpoint: its path, what it shows, and how it answers. */
  private record Endpoint(String path, String help, Handler handler) {}

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
    HttpServer server = HttpServer.create(address, 64);
    ExecutorService executor =
        Executors.newFixedThreadPool(
            2,
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
    for (Endpoint e : endpoints) {
      server.createContext(e.path(), ex -> guarded(ex, e, access));
    }
    server.createContext(
        "/ready",
        ex -> {
          if (exact(ex, "/ready")) {
            boolean ok = ready.getAsBoolean();
            send(ex, ok ? 200 : 503, "text/plain", ok ? "ready\n" : "not ready\n");
          }
        });
    server.createContext(
        "/version",
        ex -> {
          if (exact(ex, "/version")) {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("version", version);
            v.put("tag", version);
            v.put("status", "Clean");
            json(ex, v);
          }
        });
    if (serveMetrics) {
      server.createContext(
          "/metrics",
          ex -> {
            if (exact(ex, "/metrics")) {
              send(ex, 200, "text/plain; version=0.0.4", metrics.scrape());
            }
          });
    }
    server.start();
    return new DebugServer(server, executor);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void guarded(HttpExchange ex, Endpoint e, DebugAccess access) throws IOException {
    try {
      if (!exact(ex, e.path())) {
        return;
      }
      switch (access.decide(
          ex.getRemoteAddress(), ex.getRequestHeaders().getFirst("Authorization"))) {
        case UNAUTHENTICATED -> {
          ex.getResponseHeaders().set("WWW-Authenticate", "Bearer");
          send(
              ex,
              401,
              "text/plain",
              "authentication required: send Authorization: Bearer <token>\n");
        }
        case FORBIDDEN -> send(ex, 403, "text/plain", "the token is not valid\n");
        case ALLOW -> e.handler().handle(ex, query(ex));
      }
    } catch (RuntimeException err) {
      log.error("debug endpoint {} failed", ex.getRequestURI(), err);
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

  private static boolean exact(HttpExchange ex, String path) throws IOException {
    if (!ex.getRequestURI().getPath().equals(path)) {
      send(ex, 404, "text/plain", "not found\n");
      return false;
    }
    return true;
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
