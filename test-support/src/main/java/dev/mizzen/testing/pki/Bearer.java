package dev.mizzen.testing.pki;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import java.util.concurrent.Executor;

/** A bearer token in a call's {@code authorization} header, as Istio's agent sends its token. */
public final class Bearer {
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private Bearer() {}

  /** The header, for a channel's interceptor. */
  public static Metadata header(String token) {
    Metadata headers = new Metadata();
    headers.put(AUTHORIZATION, "Bearer " + token);
    return headers;
  }

  /** The header as call credentials, for one call. */
  public static CallCredentials credentials(String token) {
    return new CallCredentials() {
      @Override
      public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier apply) {
        apply.apply(header(token));
      }
    };
  }
}
