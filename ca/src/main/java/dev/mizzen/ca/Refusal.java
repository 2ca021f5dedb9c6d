package dev.mizzen.ca;

import io.grpc.Status;

/**
 * Why nothing was issued: the gRPC status the caller gets, and which of istiod's failure counters
 * it counts in.
 */
public final class Refusal extends Exception {
  private static final long serialVersionUID = 1L;

  /** The kinds of failure, each counted apart (istiod's {@code citadel_server_*} counters). */
  public enum Reason {
    /** The caller could not be authenticated. */
    AUTHENTICATION,
    /** The caller is authenticated but may not have what it asked for. */
    PERMISSION,
    /** The certificate request could not be read or fails a check. */
    CSR,
    /** The request is otherwise wrong (validity). */
    REQUEST,
    /** The CA could not sign. */
    SIGNING
  }

  private final Reason reason;
  private final Status.Code code;

  private Refusal(Reason reason, Status.Code code, String message) {
    super(message);
    this.reason = reason;
    this.code = code;
  }

  static Refusal unauthenticated(String message) {
    return new Refusal(Reason.AUTHENTICATION, Status.Code.UNAUTHENTICATED, message);
  }

  static Refusal denied(String message) {
    return new Refusal(Reason.PERMISSION, Status.Code.PERMISSION_DENIED, message);
  }

  static Refusal badCsr(String message) {
    return new Refusal(Reason.CSR, Status.Code.INVALID_ARGUMENT, message);
  }

  static Refusal badRequest(String message) {
    return new Refusal(Reason.REQUEST, Status.Code.INVALID_ARGUMENT, message);
  }

  /** The caller could not be checked (the API server did not answer): it may try again. */
  static Refusal unchecked(String message) {
    return new Refusal(Reason.AUTHENTICATION, Status.Code.UNAVAILABLE, message);
  }

  static Refusal notSigned(String message) {
    return new Refusal(Reason.SIGNING, Status.Code.INTERNAL, message);
  }

  public Reason reason() {
    return reason;
  }

  /** The status a caller gets for this refusal. */
  public Status status() {
    return Status.fromCode(code).withDescription(getMessage());
  }
}
