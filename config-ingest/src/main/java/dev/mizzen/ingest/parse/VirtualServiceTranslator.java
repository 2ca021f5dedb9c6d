package dev.mizzen.ingest.parse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mizzen.ingest.model.Meta;
import dev.mizzen.ingest.model.VirtualServiceSpec;
import dev.mizzen.ingest.model.VirtualServiceSpec.HttpRoute;
import dev.mizzen.ingest.model.VirtualServiceSpec.L4Match;
import dev.mizzen.ingest.model.VirtualServiceSpec.RouteDestination;
import dev.mizzen.ingest.model.VirtualServiceSpec.TcpRoute;
import dev.mizzen.ingest.model.VirtualServiceSpec.TlsRoute;
import io.fabric8.istio.api.api.networking.v1alpha3.L4MatchAttributes;
import io.fabric8.istio.api.api.networking.v1alpha3.TLSMatchAttributes;
import io.fabric8.istio.api.api.networking.v1alpha3.VirtualService;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Istio VirtualService into {@link VirtualServiceSpec}: hosts, gateways, and the TCP and TLS
 * routes; HTTP routes are {@link HttpRouteTranslator}'s.
 */
final class VirtualServiceTranslator implements SpecTranslator<VirtualServiceSpec> {

  @Override
  public VirtualServiceSpec translate(JsonNode object, Meta meta) throws FieldException {
    JsonNode specNode = object.get("spec");
    if (specNode == null || specNode.isNull()) {
      throw new FieldException("spec", "required");
    }
    VirtualService spec = Mappers.read(Mappers.STRICT, specNode, VirtualService.class, "spec");
    List<String> hosts = nonNull(spec.getHosts());
    List<String> gateways = nonNull(spec.getGateways());
    for (int i = 0; i < gateways.size(); i++) {
      requireGatewayName(gateways.get(i), "spec.gateways[" + i + "]");
    }
    boolean forMesh = gateways.isEmpty() || gateways.contains(VirtualServiceSpec.MESH);
    for (int i = 0; i < hosts.size(); i++) {
      Hosts.requireHost(hosts.get(i), "spec.hosts[" + i + "]", true);
      if (forMesh && hosts.get(i).equals("*")) {
        throw new FieldException(
            "spec.hosts[" + i + "]",
            "the host \"*\" is only allowed in VirtualServices bound to gateways, not to the mesh");
      }
    }
    for (int i = 0; i < hosts.size(); i++) {
      for (int j = 0; j < i; j++) {
        if (overlap(hosts.get(j), hosts.get(i))) {
          throw new FieldException(
              "spec.hosts[" + i + "]",
              "\"" + hosts.get(i) + "\" overlaps \"" + hosts.get(j) + "\" (spec.hosts[" + j + "])");
        }
      }
    }
    boolean delegate = hosts.isEmpty();
    if (delegate && !gateways.isEmpty()) {
      throw new FieldException(
          "spec.hosts",
          "required with gateways (a VirtualService without hosts is a delegate, which names no gateways)");
    }
    if (delegate && (!nonNull(spec.getTcp()).isEmpty() || !nonNull(spec.getTls()).isEmpty())) {
      throw new FieldException(
          "spec.hosts",
          "at least one host is required (a delegate VirtualService has HTTP routes only)");
    }
    List<HttpRoute> http = new ArrayList<>();
    var routes = nonNull(spec.getHttp());
    for (int i = 0; i < routes.size(); i++) {
      http.add(HttpRouteTranslator.route(routes.get(i), "spec.http[" + i + "]", delegate));
    }
    List<TcpRoute> tcp = new ArrayList<>();
    var tcpRoutes = nonNull(spec.getTcp());
    for (int i = 0; i < tcpRoutes.size(); i++) {
      String f = "spec.tcp[" + i + "]";
      var r = tcpRoutes.get(i);
      List<L4Match> matches = new ArrayList<>();
      var written = nonNull(r.getMatch());
      for (int j = 0; j < written.size(); j++) {
        matches.add(l4Match(written.get(j), f + ".match[" + j + "]"));
      }
      tcp.add(new TcpRoute(matches, destinations(r.getRoute(), f)));
    }
    List<TlsRoute> tls = new ArrayList<>();
    var tlsRoutes = nonNull(spec.getTls());
    for (int i = 0; i < tlsRoutes.size(); i++) {
      String f = "spec.tls[" + i + "]";
      var r = tlsRoutes.get(i);
      var written = nonNull(r.getMatch());
      if (written.isEmpty()) {
        throw new FieldException(f + ".match", "at least one match with sniHosts is required");
      }
      List<L4Match> matches = new ArrayList<>();
      for (int j = 0; j < written.size(); j++) {
        matches.add(tlsMatch(written.get(j), f + ".match[" + j + "]", hosts, meta.namespace()));
      }
      tls.add(new TlsRoute(matches, destinations(r.getRoute(), f)));
    }
    if (!delegate && http.isEmpty() && tcp.isEmpty() && tls.isEmpty()) {
      throw new FieldException("spec", "at least one of http, tcp or tls routes is required");
    }
    return new VirtualServiceSpec(
        hosts,
        gateways,
        http,
        tcp,
        tls,
        ExportTos.check(spec.getExportTo(), meta.namespace(), false));
  }

  /** Whether two hosts of one VirtualService name a common host, which Istio refuses. */
  private static boolean overlap(String a, String b) {
    if (a.equalsIgnoreCase(b) || a.equals("*") || b.equals("*")) {
      return true;
    }
    String la = a.toLowerCase(Locale.ROOT);
    String lb = b.toLowerCase(Locale.ROOT);
    return la.startsWith("*.") && lb.endsWith(la.substring(1))
        || lb.startsWith("*.") && la.endsWith(lb.substring(1));
  }

  /** "mesh", "name" or "namespace/name". */
  static void requireGatewayName(String gateway, String field) throws FieldException {
    if (gateway == null || gateway.isEmpty()) {
      throw new FieldException(field, "empty gateway name");
    }
    if (VirtualServiceSpec.MESH.equals(gateway)) {
      return;
    }
    String[] parts = gateway.split("/", -1);
    if (parts.length > 2) {
      throw new FieldException(
          field, "\"" + gateway + "\" is not a gateway name: write NAME or NAMESPACE/NAME");
    }
    for (String part : parts) {
      if (!Names.isDns1123Subdomain(part)) {
        throw new FieldException(
            field, "\"" + gateway + "\" is not a gateway name: write NAME or NAMESPACE/NAME");
      }
    }
  }

  private static L4Match l4Match(L4MatchAttributes m, String f) throws FieldException {
    Unsupported.refuse(m.getSourceSubnet(), f + ".sourceSubnet");
    return new L4Match(
        List.of(),
        subnets(m.getDestinationSubnets(), f + ".destinationSubnets"),
        port(m.getPort(), f + ".port"),
        labels(m.getSourceLabels(), f + ".sourceLabels"),
        Objects.requireNonNullElse(m.getSourceNamespace(), ""),
        gateways(m.getGateways(), f + ".gateways"));
  }

  private static L4Match tlsMatch(
      TLSMatchAttributes m, String f, List<String> hosts, String namespace) throws FieldException {
    List<String> sni = nonNull(m.getSniHosts());
    if (sni.isEmpty()) {
      throw new FieldException(f + ".sniHosts", "at least one server name is required");
    }
    for (int i = 0; i < sni.size(); i++) {
      String field = f + ".sniHosts[" + i + "]";
      Hosts.requireHost(sni.get(i), field, true);
      if (!Hosts.coveredByAny(sni.get(i), hosts, namespace)) {
        throw new FieldException(
            field, "\"" + sni.get(i) + "\" matches none of spec.hosts " + hosts);
      }
    }
    return new L4Match(
        sni,
        subnets(m.getDestinationSubnets(), f + ".destinationSubnets"),
        port(m.getPort(), f + ".port"),
        labels(m.getSourceLabels(), f + ".sourceLabels"),
        Objects.requireNonNullElse(m.getSourceNamespace(), ""),
        gateways(m.getGateways(), f + ".gateways"));
  }

  private static List<RouteDestination> destinations(
      List<io.fabric8.istio.api.api.networking.v1alpha3.RouteDestination> written, String f)
      throws FieldException {
    var list = nonNull(written);
    if (list.isEmpty()) {
      throw new FieldException(f + ".route", "at least one destination is required");
    }
    List<RouteDestination> out = new ArrayList<>();
    int total = 0;
    for (int i = 0; i < list.size(); i++) {
      var d = list.get(i);
      String field = f + ".route[" + i + "]";
      RouteDestination rd =
          HttpRouteTranslator.destination(d.getDestination(), d.getWeight(), field);
      total += rd.weight();
      out.add(rd);
    }
    if (out.size() > 1 && total == 0) {
      throw new FieldException(f + ".route", "weights of several destinations must not all be 0");
    }
    return out;
  }

  static int port(Long port, String field) throws FieldException {
    if (port == null) {
      return 0;
    }
    if (port < 1 || port > 65535) {
      throw new FieldException(field, "must be between 1 and 65535");
    }
    return port.intValue();
  }

  static List<String> subnets(List<String> written, String field) throws FieldException {
    List<String> list = nonNull(written);
    for (int i = 0; i < list.size(); i++) {
      String problem = AuthzValues.CIDR.problem(list.get(i));
      if (problem != null) {
        throw new FieldException(field + "[" + i + "]", problem);
      }
    }
    return list;
  }

  static Map<String, String> labels(Map<String, String> written, String field)
      throws FieldException {
    if (written == null) {
      return Map.of();
    }
    for (Map.Entry<String, String> e : written.entrySet()) {
      if (e.getKey().isEmpty()) {
        throw new FieldException(field, "empty label name");
      }
      if (e.getValue() == null) {
        throw new FieldException(field + "." + e.getKey(), "wrong type: expected string");
      }
    }
    return written;
  }

  static List<String> gateways(List<String> written, String field) throws FieldException {
    List<String> list = nonNull(written);
    for (int i = 0; i < list.size(); i++) {
      requireGatewayName(list.get(i), field + "[" + i + "]");
    }
    return list;
  }

  static <T> List<T> nonNull(List<T> list) {
    return list == null ? List.of() : list;
  }
}
