package dev.mizzen.ingest.parse;

import static dev.mizzen.ingest.parse.VirtualServiceTranslator.nonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mizzen.ingest.model.GatewaySpec;
import dev.mizzen.ingest.model.GatewaySpec.ServerTls;
import dev.mizzen.ingest.model.GatewaySpec.TlsMode;
import dev.mizzen.ingest.model.Meta;
import dev.mizzen.ingest.model.Protocol;
import io.fabric8.istio.api.api.networking.v1alpha3.Gateway;
import io.fabric8.istio.api.api.networking.v1alpha3.Server;
import io.fabric8.istio.api.api.networking.v1alpha3.ServerTLSSettings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Istio Gateway into {@link GatewaySpec}, checked as Istio's validation checks it. */
final class GatewayTranslator implements SpecTranslator<GatewaySpec> {

  @Override
  public GatewaySpec translate(JsonNode object, Meta meta) throws FieldException {
    JsonNode specNode = object.get("spec");
    if (specNode == null || specNode.isNull()) {
      throw new FieldException("spec", "required");
    }
    Gateway spec = Mappers.read(Mappers.STRICT, specNode, Gateway.class, "spec");
    List<Server> written = nonNull(spec.getServers());
    if (written.isEmpty()) {
      throw new FieldException("spec.servers", "at least one server is required");
    }
    List<GatewaySpec.Server> servers = new ArrayList<>();
    Map<String, Integer> portNames = new HashMap<>();
    for (int i = 0; i < written.size(); i++) {
      String f = "spec.servers[" + i + "]";
      GatewaySpec.Server s = server(written.get(i), f);
      Integer other = portNames.putIfAbsent(s.portName(), s.number());
      if (other != null && other != s.number()) {
        throw new FieldException(
            f + ".port.name",
            "port name \"" + s.portName() + "\" is already used for port " + other);
      }
      servers.add(s);
    }
    Map<String, String> selector =
        VirtualServiceTranslator.labels(spec.getSelector(), "spec.selector");
    return new GatewaySpec(selector, servers);
  }

  private static GatewaySpec.Server server(Server s, String f) throws FieldException {
    Unsupported.refuse(s.getDefaultEndpoint(), f + ".defaultEndpoint");
    if (s.getPort() == null) {
      throw new FieldException(f + ".port", "required");
    }
    var port = s.getPort();
    if (port.getNumber() == null) {
      throw new FieldException(f + ".port.number", "required");
    }
    int number = VirtualServiceTranslator.port(port.getNumber(), f + ".port.number");
    Unsupported.refuse(port.getTargetPort(), f + ".port.targetPort");
    if (port.getName() == null || port.getName().isEmpty()) {
      throw new FieldException(f + ".port.name", "required");
    }
    Protocol protocol = Protocols.require(port.getProtocol(), f + ".port.protocol");
    if (protocol == Protocol.UDP) {
      throw new FieldException(f + ".port.protocol", "gateways serve no UDP");
    }
    List<String> hosts = nonNull(s.getHosts());
    if (hosts.isEmpty()) {
      throw new FieldException(f + ".hosts", "at least one host is required");
    }
    for (int i = 0; i < hosts.size(); i++) {
      requireServerHost(hosts.get(i), f + ".hosts[" + i + "]");
    }
    String bind = Objects.requireNonNullElse(s.getBind(), "");
    if (!bind.isEmpty() && AuthzValues.CIDR.problem(bind) != null || bind.contains("/")) {
      throw new FieldException(f + ".bind", "\"" + bind + "\" is not an IP address");
    }
    ServerTls tls = tls(s.getTls(), protocol, f + ".tls");
    return new GatewaySpec.Server(
        number,
        port.getName(),
        protocol,
        hosts,
        tls,
        Objects.requireNonNullElse(s.getName(), ""),
        bind);
  }

  /** {@code [namespace/]host}: namespace {@code *}, {@code .} or a name. */
  private static void requireServerHost(String host, String field) throws FieldException {
    if (host == null || host.isEmpty()) {
      throw new FieldException(field, "empty host");
    }
    String[] parts = host.split("/", -1);
    if (parts.length > 2) {
      throw new FieldException(field, "\"" + host + "\": write HOST or NAMESPACE/HOST");
    }
    if (parts.length == 2 && !parts[0].equals("*") && !parts[0].equals(".")) {
      Names.requireLabel(parts[0], field);
    }
    Hosts.requireHost(parts[parts.length - 1], field, true);
  }

  private static ServerTls tls(ServerTLSSettings t, Protocol protocol, String f)
      throws FieldException {
    boolean needsTls = protocol == Protocol.HTTPS || protocol == Protocol.TLS;
    if (t == null) {
      if (needsTls) {
        throw new FieldException(f, "required for " + protocol + " servers");
      }
      return null;
    }
    Unsupported.refuse(t.getCaCrl(), f + ".caCrl");
    Unsupported.refuseNonEmpty(t.getCredentialNames(), f + ".credentialNames");
    Unsupported.refuseNonEmpty(t.getTlsCertificates(), f + ".tlsCertificates");
    Unsupported.refuse(t.getCaCertCredentialName(), f + ".caCertCredentialName");
    boolean redirect = Boolean.TRUE.equals(t.getHttpsRedirect());
    TlsMode mode = t.getMode() == null ? TlsMode.SIMPLE : TlsMode.valueOf(t.getMode().name());
    String credential = Objects.requireNonNullElse(t.getCredentialName(), "");
    String cert = Objects.requireNonNullElse(t.getServerCertificate(), "");
    String key = Objects.requireNonNullElse(t.getPrivateKey(), "");
    String ca = Objects.requireNonNullElse(t.getCaCertificates(), "");
    if (!needsTls) {
      if (protocol.isHttp() && (t.getMode() != null || !credential.isEmpty() || !cert.isEmpty())) {
        throw new FieldException(
            f, "an " + protocol + " server takes only httpsRedirect; use HTTPS to terminate TLS");
      }
      if (!protocol.isHttp()) {
        throw new FieldException(f, "TLS settings need an HTTPS or TLS server, not " + protocol);
      }
      return new ServerTls(
          redirect, mode, "", "", "", "", List.of(), List.of(), List.of(), "", "", List.of());
    }
    switch (mode) {
      case SIMPLE, MUTUAL, OPTIONAL_MUTUAL -> {
        if (credential.isEmpty() && (cert.isEmpty() || key.isEmpty())) {
          throw new FieldException(
              f, mode + " needs credentialName, or serverCertificate and privateKey");
        }
        if (!credential.isEmpty() && (!cert.isEmpty() || !key.isEmpty() || !ca.isEmpty())) {
          throw new FieldException(
              f + ".credentialName", "credentialName and certificate files exclude each other");
        }
        if (mode != TlsMode.SIMPLE && credential.isEmpty() && ca.isEmpty()) {
          throw new FieldException(
              f + ".caCertificates", "required for " + mode + " without credentialName");
        }
      }
      case PASSTHROUGH, AUTO_PASSTHROUGH, ISTIO_MUTUAL -> {
        if (!credential.isEmpty() || !cert.isEmpty() || !key.isEmpty() || !ca.isEmpty()) {
          throw new FieldException(f, mode + " takes no certificates and no credentialName");
        }
        if (mode == TlsMode.AUTO_PASSTHROUGH && protocol != Protocol.TLS) {
          throw new FieldException(f + ".mode", "AUTO_PASSTHROUGH needs a TLS server");
        }
      }
    }
    return new ServerTls(
        redirect,
        mode,
        credential,
        cert,
        key,
        ca,
        nonNull(t.getSubjectAltNames()),
        nonNull(t.getVerifyCertificateSpki()),
        nonNull(t.getVerifyCertificateHash()),
        t.getMinProtocolVersion() == null ? "" : t.getMinProtocolVersion().name(),
        t.getMaxProtocolVersion() == null ? "" : t.getMaxProtocolVersion().name(),
        nonNull(t.getCipherSuites()));
  }
}
