package dev.mizzen.tests;

import io.grpc.Status;

/** What one call saw: the backend that answered, or the status it failed with. */
record Outcome(String backend, Status.Code code, String details) {
  static Outcome answered(String backend) {
    return new Outcome(backend, Status.Code.OK, "");
  }

  static Outcome failed(Status.Code code, String details) {
    return new Outcome("", code, details == null ? "" : details);
  }

  boolean ok() {
    return code == Status.Code.OK;
  }

  @Override
  public String toString() {
    return ok() ? backend : code + ": " + details;
  }
}
