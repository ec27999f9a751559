import OpenSREModel
import OpenSRESLO
import PrometheusExposition

/// One way a series feeds an SLO: which SLO, which count, and (for latency)
/// which histogram bound.
struct SLOTap {
    var slo: Int
    var role: SLOEngine.Role
    var lessOrEqual: Double?
}
