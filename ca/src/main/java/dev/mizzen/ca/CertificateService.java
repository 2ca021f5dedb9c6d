package dev.mizzen.ca;

import dev.mizzen.proto.istio.ca.IstioCertificateRequest;
import dev.mizzen.proto.istio.ca.IstioCertificateResponse;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Istio's certificate service, {@code istio.v1.auth.IstioCertificateService/CreateCertificate}, as
 * istiod serves it on its secure port: the caller is authenticated ({@link Callers}), its CSR
 * checked and signed ({@link CertificateAuthority}), and the chain returned leaf first. A refusal
 * is a gRPC status that says what was wrong; nothing is issued then.
 */
public final class CertificateService {
  public static final String SERVICE = "istio.v1.auth.IstioCertificateService";

  public static final MethodDescriptor<IstioCertificateRequest, IstioCertificateResponse> CREATE =
      MethodDescriptor.<IstioCertificateRequest, IstioCertificateResponse>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "CreateCertificate"))
          .setRequestMarshaller(ProtoUtils.marshaller(IstioCertificateRequest.getDefaultInstance()))
          .setResponseMarshaller(
              ProtoUtils.marshaller(IstioCertificateResponse.getDefaultInstance()))
          .build();

  private static final Logger log = LoggerFactory.getLogger(CertificateService.class);
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final Context.Key<String> BEARER = Context.key("mizzen-ca-authorization");
  private static final Context.Key<SSLSession> TLS = Context.key("mizzen-ca-tls");

  private final CertificateAuthority authority;
  private final Callers callers;
  private final CaMetrics metrics;

  public CertificateService(CertificateAuthority authority, Callers callers, CaMetrics metrics) {
    this.authority = Objects.requireNonNull(authority);
    this.callers = Objects.requireNonNull(callers);
    this.metrics = Objects.requireNonNull(metrics);
  }

  /** The service, ready to add to a server. */
  public ServerServiceDefinition definition() {
    ServerServiceDefinition service =
        ServerServiceDefinition.builder(SERVICE)
            .addMethod(CREATE, ServerCalls.asyncUnaryCall(this::create))
            .build();
    return ServerInterceptors.intercept(service, new Credentials());
  }

  private void create(
      IstioCertificateRequest request, StreamObserver<IstioCertificateResponse> response) {
    metrics.received();
    try {
      WorkloadIdentity caller = callers.authenticate(BEARER.get(), TLS.get());
      List<String> chain = authority.issue(caller, request.getCsr(), request.getValidityDuration());
      metrics.issued();
      log.debug("issued {}", caller.spiffe(authority.trustDomain()));
      response.onNext(IstioCertificateResponse.newBuilder().addAllCertChain(chain).build());
      response.onCompleted();
    } catch (Refusal r) {
      metrics.refused(r.reason());
      log.info("certificate refused: {}", r.getMessage());
      response.onError(r.status().asRuntimeException());
    }
  }

  /** Hands the call's authorization header and TLS session to the handler. */
  private static final class Credentials implements ServerInterceptor {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
        ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
      Context context =
          Context.current()
              .withValue(BEARER, headers.get(AUTHORIZATION))
              .withValue(TLS, call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
      return Contexts.interceptCall(context, call, headers, next);
    }
  }
}
