package dev.mizzen.pilot.generate;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.mizzen.authz.authn.IstioTls;
import dev.mizzen.ingest.model.SecretRef;
import dev.mizzen.pilot.cache.ProxyResources;
import dev.mizzen.pilot.cache.TypeUrls;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import java.io.ByteArrayInputStream;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The Secrets a group's config names by {@code credentialName} (gateway servers, DestinationRule
 * client TLS), as istiod serves them over ADS: {@code kubernetes://NAME} is the certificate chain
 * and key of the Secret NAME ({@code cert}/{@code key}, else {@code tls.crt}/{@code tls.key});
 * {@code kubernetes://NAME-cacert} is the roots ({@code cacert}, else {@code ca.crt}, with the
 * revocation list beside them) of the Secret NAME-cacert, else of NAME. A Secret is read only in
 * the namespace of the proxies served it, and only for proxies that proved they may read it; a name
 * of another namespace ({@code kubernetes://OTHER/NAME}) is never served. Certificates that do not
 * parse are not served. What cannot be served is left out (the proxy keeps waiting for it, as with
 * istiod) and said why.
 */
public final class CredentialSecrets {
  private static final String TLS_CERT = "tls.crt";
  private static final String TLS_KEY = "tls.key";
  private static final String TLS_CA = "ca.crt";
  private static final String TLS_CRL = "ca.crl";
  private static final String CERT = "cert";
  private static final String KEY = "key";
  private static final String CA = "cacert";
  private static final String CRL = "crl";

  /**
   * What a group is served.
   *
   * @param secrets the Secret resources by name
   * @param read the Kubernetes Secrets they are (or would be) read from, to be watched
   * @param problems why a named secret is not served, one line each
   * @param unproven the secrets named but not served because the group's proxies did not prove they
   *     may read Secrets (a plain-text stream, or an identity the API server does not authorize)
   */
  public record Served(
      SortedMap<String, Message> secrets,
      Set<SecretRef> read,
      List<String> problems,
      Set<String> unproven) {
    static final Served NONE = new Served(new TreeMap<>(), Set.of(), List.of(), Set.of());
  }

  private CredentialSecrets() {}

  /**
   * The secrets of {@code resources}' listeners and clusters for proxies of {@code key}.
   *
   * @param data what the watched Secrets hold (data by key, base64), absent when not found
   */
  public static Served serve(
      GroupKey key, ProxyResources resources, Map<SecretRef, Map<String, String>> data) {
    Set<String> named = named(resources);
    if (named.isEmpty()) {
      return Served.NONE;
    }
    if (!key.secrets()) {
      return new Served(new TreeMap<>(), Set.of(), List.of(), named);
    }
    SortedMap<String, Message> secrets = new TreeMap<>();
    Set<SecretRef> read = new TreeSet<>();
    List<String> problems = new ArrayList<>();
    for (String resource : named) {
      String name = resource.substring(IstioTls.CREDENTIAL_PREFIX.length());
      int slash = name.indexOf('/');
      if (slash >= 0) {
        String namespace = name.substring(0, slash);
        if (!namespace.equals(key.namespace()) || name.indexOf('/', slash + 1) >= 0) {
          problems.add(
              resource
                  + " is not served to proxies "
                  + key
                  + ": a proxy is served Secrets of its own namespace ("
                  + key.namespace()
                  + ") only");
          continue;
        }
        name = name.substring(slash + 1);
      }
      try {
        if (name.endsWith(IstioTls.CA_SUFFIX)) {
          SecretRef own = new SecretRef(key.namespace(), name);
          SecretRef base =
              new SecretRef(
                  key.namespace(), name.substring(0, name.length() - IstioTls.CA_SUFFIX.length()));
          read.add(own);
          read.add(base);
          Map<String, String> found = data.containsKey(own) ? data.get(own) : data.get(base);
          if (found == null) {
            throw new IllegalArgumentException(
                "neither Secret " + own + " nor " + base + " was found");
          }
          secrets.put(resource, roots(resource, found));
        } else {
          SecretRef ref = new SecretRef(key.namespace(), name);
          read.add(ref);
          Map<String, String> found = data.get(ref);
          if (found == null) {
            throw new IllegalArgumentException("Secret " + ref + " was not found");
          }
          secrets.put(resource, certificate(resource, found));
        }
      } catch (IllegalArgumentException e) {
        problems.add(resource + " for proxies " + key + " is not served: " + e.getMessage());
      }
    }
    return new Served(secrets, Set.copyOf(read), List.copyOf(problems), Set.of());
  }

  /** The names of secrets that {@code resources} ask for over ADS. */
  static Set<String> named(ProxyResources resources) {
    Set<String> names = new TreeSet<>();
    for (Message m : resources.of(TypeUrls.LISTENER).values()) {
      Listener l = (Listener) m;
      for (FilterChain chain : l.getFilterChainsList()) {
        downstream(chain.getTransportSocket(), names);
      }
      if (l.hasDefaultFilterChain()) {
        downstream(l.getDefaultFilterChain().getTransportSocket(), names);
      }
    }
    for (Message m : resources.of(TypeUrls.CLUSTER).values()) {
      Cluster c = (Cluster) m;
      upstream(c.getTransportSocket(), names);
      for (Cluster.TransportSocketMatch match : c.getTransportSocketMatchesList()) {
        upstream(match.getTransportSocket(), names);
      }
    }
    return names;
  }

  private static void downstream(TransportSocket socket, Set<String> names) {
    Any config = socket.getTypedConfig();
    if (config.is(DownstreamTlsContext.class)) {
      common(unpack(config, DownstreamTlsContext.class).getCommonTlsContext(), names);
    }
  }

  private static void upstream(TransportSocket socket, Set<String> names) {
    Any config = socket.getTypedConfig();
    if (config.is(UpstreamTlsContext.class)) {
      common(unpack(config, UpstreamTlsContext.class).getCommonTlsContext(), names);
    }
  }

  private static void common(CommonTlsContext common, Set<String> names) {
    common.getTlsCertificateSdsSecretConfigsList().forEach(s -> overAds(s, names));
    if (common.hasValidationContextSdsSecretConfig()) {
      overAds(common.getValidationContextSdsSecretConfig(), names);
    }
    if (common.hasCombinedValidationContext()) {
      overAds(common.getCombinedValidationContext().getValidationContextSdsSecretConfig(), names);
    }
  }

  private static void overAds(SdsSecretConfig config, Set<String> names) {
    if (config.getSdsConfig().hasAds() && config.getName().startsWith(IstioTls.CREDENTIAL_PREFIX)) {
      names.add(config.getName());
    }
  }

  private static <T extends Message> T unpack(Any any, Class<T> type) {
    try {
      return any.unpack(type);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("generated " + any.getTypeUrl() + " does not parse", e);
    }
  }

  private static Secret certificate(String resource, Map<String, String> data) {
    ByteString chain;
    ByteString key;
    if (has(data, CERT) && has(data, KEY)) {
      chain = value(data, CERT);
      key = value(data, KEY);
    } else if (has(data, TLS_CERT) && has(data, TLS_KEY)) {
      chain = value(data, TLS_CERT);
      key = value(data, TLS_KEY);
    } else {
      throw new IllegalArgumentException(
          "the Secret has neither the keys cert and key nor tls.crt and tls.key; it has "
              + new TreeSet<>(data.keySet()));
    }
    certificates(chain, "the certificate chain");
    return Secret.newBuilder()
        .setName(resource)
        .setTlsCertificate(
            TlsCertificate.newBuilder()
                .setCertificateChain(DataSource.newBuilder().setInlineBytes(chain))
                .setPrivateKey(DataSource.newBuilder().setInlineBytes(key)))
        .build();
  }

  private static Secret roots(String resource, Map<String, String> data) {
    ByteString roots;
    ByteString crl = ByteString.EMPTY;
    if (has(data, CA)) {
      roots = value(data, CA);
      crl = has(data, CRL) ? value(data, CRL) : crl;
    } else if (has(data, TLS_CA)) {
      roots = value(data, TLS_CA);
      crl = has(data, TLS_CRL) ? value(data, TLS_CRL) : crl;
    } else {
      throw new IllegalArgumentException(
          "the Secret has neither the key cacert nor ca.crt; it has "
              + new TreeSet<>(data.keySet()));
    }
    certificates(roots, "the roots");
    CertificateValidationContext.Builder v =
        CertificateValidationContext.newBuilder()
            .setTrustedCa(DataSource.newBuilder().setInlineBytes(roots));
    if (!crl.isEmpty()) {
      v.setCrl(DataSource.newBuilder().setInlineBytes(crl));
    }
    return Secret.newBuilder().setName(resource).setValidationContext(v).build();
  }

  private static boolean has(Map<String, String> data, String key) {
    String v = data.get(key);
    return v != null && !v.isEmpty();
  }

  private static ByteString value(Map<String, String> data, String key) {
    try {
      return ByteString.copyFrom(Base64.getMimeDecoder().decode(data.get(key)));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the value of " + key + " is not base64", e);
    }
  }

  /** Checks that {@code pem} holds X.509 certificates, as istiod checks before serving them. */
  private static void certificates(ByteString pem, String what) {
    try {
      var parsed =
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(pem.toByteArray()));
      if (parsed.isEmpty()) {
        throw new IllegalArgumentException(what + " holds no certificate");
      }
    } catch (CertificateException e) {
      throw new IllegalArgumentException(
          what + " is not PEM-encoded X.509 certificates (" + e.getMessage() + ")", e);
    }
  }
}
