package dev.mizzen.pilot.proxy;

/** A proxy's node id or metadata cannot be read; the stream is refused with the message. */
public final class InvalidProxyException extends Exception {
  private static final long serialVersionUID = 1L;

  public InvalidProxyException(String message) {
    super(message, null, false, false);
  }
}
