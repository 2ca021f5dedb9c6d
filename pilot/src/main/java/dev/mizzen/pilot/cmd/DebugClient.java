package dev.mizzen.pilot.cmd;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Reads a running Mizzen's debug endpoints, as the admin commands do. */
final class DebugClient {

  /** The options every command that talks to Mizzen shares. */
  static final class Options {
    @Option(
        names = "--server",
        defaultValue = "http://127.0.0.1:8080",
        description = "Mizzen's debug address. Default: ${DEFAULT-VALUE}.")
    String server;

    @Option(
        names = "--token-file",
        paramLabel = "FILE",
        description = "Send this file's content as the bearer token (needed off loopback).")
    Path tokenFile;
  }

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Options options;

  DebugClient(Options options) {
    this.options = options;
  }

  static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** GETs {@code pathAndQuery}; a status other than 200 becomes an IOException with the body. */
  String get(String pathAndQuery) throws IOException, InterruptedException {
    String base =
        options.server.endsWith("/")
            ? options.server.substring(0, options.server.length() - 1)
            : options.server;
    HttpRequest.Builder req =
        HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(Duration.ofSeconds(30));
    if (options.tokenFile != null) {
      req.header("Authorization", "Bearer " + Files.readString(options.tokenFile).strip());
    }
    HttpResponse<String> r;
    try {
      r = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
    } catch (ConnectException e) {
      throw new IOException("cannot reach Mizzen at " + base + " (is it running? see --server)", e);
    }
    if (r.statusCode() != 200) {
      throw new IOException(
          base + pathAndQuery + " answered " + r.statusCode() + ": " + r.body().strip());
    }
    return r.body();
  }
}
