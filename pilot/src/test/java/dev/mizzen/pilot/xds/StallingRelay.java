package dev.mizzen.pilot.xds;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A TCP relay on loopback between one client and a server that can stop passing the server's bytes
 * on, as a client that stops reading its socket would: the server's HTTP/2 window then closes and
 * what it sends stays with it. The client's bytes keep flowing.
 */
final class StallingRelay implements AutoCloseable {
  private final ServerSocket listener;
  private final int target;
  private volatile boolean stalled;
  private volatile Socket client;
  private volatile Socket server;

  StallingRelay(int target) throws IOException {
    this.target = target;
    this.listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    Thread accept = new Thread(this::accept, "stalling-relay");
    accept.setDaemon(true);
    accept.start();
  }

  int port() {
    return listener.getLocalPort();
  }

  /** From now on, nothing more the server sends reaches the client. */
  void stall() {
    stalled = true;
  }

  private void accept() {
    try {
      client = listener.accept();
      server = new Socket(InetAddress.getLoopbackAddress(), target);
      pump(client.getInputStream(), server.getOutputStream(), false);
      pump(server.getInputStream(), client.getOutputStream(), true);
    } catch (IOException e) {
      // Closed.
    }
  }

  private void pump(InputStream in, OutputStream out, boolean stallable) {
    Thread t =
        new Thread(
            () -> {
              byte[] buffer = new byte[8192];
              try {
                while (!(stallable && stalled)) {
                  int n = in.read(buffer);
                  if (n < 0 || (stallable && stalled)) {
                    return;
                  }
                  out.write(buffer, 0, n);
                  out.flush();
                }
              } catch (IOException e) {
                // Closed.
              }
            },
            "stalling-relay-pump");
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void close() throws IOException {
    listener.close();
    for (Socket s : new Socket[] {client, server}) {
      if (s != null) {
        s.close();
      }
    }
  }
}
