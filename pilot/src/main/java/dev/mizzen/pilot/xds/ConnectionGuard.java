package dev.mizzen.pilot.xds;

import com.google.common.util.concurrent.RateLimiter;
import io.grpc.Attributes;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerTransportFilter;
import io.grpc.Status;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The limits of an xDS port that gRPC's transport does not enforce itself: connections per source
 * address, counted as transports come and go, and the rate at which new streams are admitted.
 * Connections over the bound are not cut by the transport; each of their streams is refused, so the
 * client learns which limit it hit.
 */
final class ConnectionGuard extends ServerTransportFilter implements ServerInterceptor {
  private static final Attributes.Key<Boolean> OVER_LIMIT =
      Attributes.Key.create("mizzen.connectionOverLimit");

  private final int maxPerAddress;
  private final double streamsPerSecond;
  private final RateLimiter rate;
  private final Supplier<XdsEvents> events;
  private final ConcurrentMap<InetAddress, AtomicInteger> open = new ConcurrentHashMap<>();

  ConnectionGuard(XdsLimits limits, Supplier<XdsEvents> events) {
    this.maxPerAddress = limits.maxConnectionsPerAddress();
    this.streamsPerSecond = limits.newStreamsPerSecond();
    // Guava's limiter lets a second's worth of permits accumulate: a burst of that many.
    this.rate = streamsPerSecond > 0 ? RateLimiter.create(streamsPerSecond) : null;
    this.events = events;
  }

  @Override
  public Attributes transportReady(Attributes attrs) {
    InetAddress address = address(attrs.get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
    if (address == null) {
      return attrs;
    }
    int n = open.computeIfAbsent(address, a -> new AtomicInteger()).incrementAndGet();
    return attrs.toBuilder().set(OVER_LIMIT, n > maxPerAddress).build();
  }

  @Override
  public void transportTerminated(Attributes attrs) {
    InetAddress address = address(attrs.get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
    if (address == null) {
      return;
    }
    open.computeIfPresent(address, (a, n) -> n.decrementAndGet() <= 0 ? null : n);
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    if (Boolean.TRUE.equals(call.getAttributes().get(OVER_LIMIT))) {
      return refuse(
          call,
          XdsEvents.Status.OVER_LIMIT,
          "too many connections from "
              + address(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR))
              + ": at most "
              + maxPerAddress
              + " per source address");
    }
    if (rate != null && !rate.tryAcquire()) {
      return refuse(
          call,
          XdsEvents.Status.OVER_LIMIT,
          "too many new streams: at most "
              + (long) streamsPerSecond
              + " are admitted per second; retry");
    }
    return next.startCall(call, headers);
  }

  private <Q, R> ServerCall.Listener<Q> refuse(
      ServerCall<Q, R> call, XdsEvents.Status status, String reason) {
    events.get().refused("", status, reason);
    call.close(Status.RESOURCE_EXHAUSTED.withDescription(reason), new Metadata());
    return new ServerCall.Listener<>() {};
  }

  private static InetAddress address(SocketAddress remote) {
    return remote instanceof InetSocketAddress inet ? inet.getAddress() : null;
  }
}
