package dev.mizzen.ingest.model;

/** The translated, validated spec of one configuration object; one record per kind. */
public sealed interface Spec
    permits NamespaceSpec,
        ServiceSpec,
        EndpointsSpec,
        EndpointSliceSpec,
        PodSpec,
        VirtualServiceSpec,
        DestinationRuleSpec,
        GatewaySpec,
        ServiceEntrySpec,
        SidecarSpec,
        MemberRollSpec,
        AuthorizationPolicySpec,
        PeerAuthenticationSpec,
        RequestAuthenticationSpec,
        MeshPolicySpec,
        RbacConfigSpec {}
