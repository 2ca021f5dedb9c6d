package dev.mizzen.pilot.debug;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.mizzen.pilot.control.PushPipeline;
import dev.mizzen.pilot.xds.ProxyConnection;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
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
 */
public final class DebugServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DebugServer.class);
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final HttpServer server;
  private final ExecutorService executor;

  private DebugServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * @param ready whether the control plane is ready to serve proxies
   */
  public static DebugServer start(InetSocketAddress address, PushPipeline pipeline, BooleanSupplier ready)
      throws IOException {
    HttpServer server = HttpServer.create(address, 64);
    ExecutorService executor =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "mizzen-debug-http");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    DebugViews views = new DebugViews(pipeline);
    server.createContext(
        "/ready",
        ex -> {
          if (!exact(ex, "/ready")) {
            return;
          }
          boolean ok = ready.getAsBoolean();
          send(ex, ok ? 200 : 503, "text/plain", ok ? "ready\n" : "not ready\n");
        });
    server.createContext("/debug/syncz", ex -> json(ex, views.syncz(query(ex))));
    server.createContext("/debug/configz", ex -> json(ex, views.configz(query(ex))));
    AuthorizationViews authz = new AuthorizationViews(pipeline);
    server.createContext(
        "/debug/authorizationz",
        ex -> {
          try {
            AuthorizationViews.Answer a = authz.authorizationz(multiQuery(ex));
            send(ex, a.status(), "application/json", JSON.writeValueAsString(a.body()) + "\n");
          } catch (RuntimeException e) {
            log.error("debug endpoint {} failed", ex.getRequestURI(), e);
            send(ex, 500, "text/plain", "internal error: " + e + "\n");
          }
        });
    server.createContext(
        "/debug/config_dump",
        ex -> {
          Map<String, String> q = query(ex);
          String id = q.getOrDefault("proxyID", "");
          if (id.isEmpty()) {
            send(ex, 400, "text/plain", "the proxyID parameter is required\n");
            return;
          }
          Optional<ProxyConnection> conn = pipeline.cache().find(id);
          if (conn.isEmpty()) {
            send(ex, 404, "text/plain", "proxy " + id + " is not connected\n");
            return;
          }
          Set<String> types = new LinkedHashSet<>();
          if (q.containsKey("types")) {
            types.addAll(Arrays.asList(q.get("types").split(",")));
          }
          send(ex, 200, "application/json", ConfigDumps.json(ConfigDumps.dump(pipeline.cache(), conn.get(), types)) + "\n");
        });
    server.start();
    return new DebugServer(server, executor);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static boolean exact(HttpExchange ex, String path) throws IOException {
    if (!ex.getRequestURI().getPath().equals(path)) {
      send(ex, 404, "text/plain", "not found\n");
      return false;
    }
    return true;
  }

  private static void json(HttpExchange ex, Object body) throws IOException {
    try {
      send(ex, 200, "application/json", JSON.writeValueAsString(body) + "\n");
    } catch (RuntimeException e) {
      log.error("debug endpoint {} failed", ex.getRequestURI(), e);
      send(ex, 500, "text/plain", "internal error: " + e + "\n");
    }
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
      q.put(k, v);
    }
    return q;
  }

  /** The query with every value of repeated parameters, such as {@code header=a:1&header=b:2}. */
  static Map<String, java.util.List<String>> multiQuery(HttpExchange ex) {
    Map<String, java.util.List<String>> q = new LinkedHashMap<>();
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
      q.computeIfAbsent(k, x -> new java.util.ArrayList<>()).add(v);
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
