package dev.mizzen.pilot.analysis;

import dev.mizzen.ingest.model.ConfigError;
import dev.mizzen.pilot.push.PushContext;
import dev.mizzen.tenancy.Membership;
import java.util.List;

/**
 * What the analyzers read: the push (the members' config, indexed), who the members are, the
 * workloads, and the objects refused or served fail closed.
 *
 * @param push the push's indexes
 * @param membership the member namespaces, the control plane's own included
 * @param workloads the members' pods by namespace
 * @param refused objects left out as invalid, and security objects (or parts of them) served fail
 *     closed
 */
record AnalysisContext(
    PushContext push, Membership membership, Workloads workloads, List<ConfigError> refused) {}
