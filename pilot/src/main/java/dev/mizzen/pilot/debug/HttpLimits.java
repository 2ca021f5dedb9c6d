package dev.mizzen.pilot.debug;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The bounds of every HTTP port Mizzen serves (debug, monitoring, webhooks), all of which run on
 * the JDK's HTTP server. That server reads its bounds once, from system properties, when the first
 * server of the process is made; so they are set here, before any is, and a value given on the
 * command line ({@code -Dsun.net.httpserver.maxReqTime=...}) wins.
 *
 * <p>A request's line and headers must arrive within {@link #REQUEST_SECONDS}, so a client that
 * sends half a request (slowloris) holds a worker for that long at most; a response must be read
 * within {@link #RESPONSE_SECONDS}; at most {@link #CONNECTIONS} connections are open per port
 * (more are closed as they arrive); idle keep-alive connections are closed after {@link
 * #IDLE_SECONDS}.
 */
public final class HttpLimits {
  public static final int REQUEST_SECONDS = 5;
  public static final int RESPONSE_SECONDS = 30;
  public static final int IDLE_SECONDS = 30;
  public static final int CONNECTIONS = 256;

  /** Workers per port: enough that slow clients up to this many never delay a probe. */
  public static final int WORKERS = 16;

  private HttpLimits() {}

  /** Sets the bounds not given on the command line; call before any HTTP server is made. */
  public static synchronized void install() {
    Map<String, String> limits = new LinkedHashMap<>();
    limits.put("sun.net.httpserver.maxReqTime", String.valueOf(REQUEST_SECONDS));
    limits.put("sun.net.httpserver.maxRspTime", String.valueOf(RESPONSE_SECONDS));
    limits.put("sun.net.httpserver.idleInterval", String.valueOf(IDLE_SECONDS));
    limits.put("jdk.httpserver.maxConnections", String.valueOf(CONNECTIONS));
    limits.put("sun.net.httpserver.maxReqHeaders", "100");
    limits.forEach(
        (key, value) -> {
          if (System.getProperty(key) == null) {
            System.setProperty(key, value);
          }
        });
  }
}
