import OpenSREModel
import PrometheusExposition

/// `job` and `instance` of a resource, by the compatibility spec:
/// `job` = `service.namespace/service.name` (or `service.name` alone),
/// `instance` = `service.instance.id`; empty when absent.
struct ResourceIdentity {
    static let keys: Set<String> = ["service.name", "service.namespace", "service.instance.id"]

    var job = ""
    var instance = ""

    init(_ attributes: [Attribute]) {
        var name = ""
        var namespace = ""
        for attribute in attributes {
            switch attribute.key {
            case "service.name": name = AttributeText.labelValue(attribute.value)
            case "service.namespace": namespace = AttributeText.labelValue(attribute.value)
            case "service.instance.id": instance = AttributeText.labelValue(attribute.value)
            default: break
            }
        }
        job = namespace.isEmpty ? name : namespace + "/" + name
    }
}
