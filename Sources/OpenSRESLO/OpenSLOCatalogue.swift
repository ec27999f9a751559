import Yams

/// The OpenSLO v1 documents of a set of files, by kind and name, so that an
/// SLO's `indicatorRef`, `alertPolicyRef` and a policy's `conditionRef` find
/// their document in any of the files. Each referable document is read once,
/// whether an SLO uses it or not, so its problems are reported once, with
/// its own file and document number.
///
/// Kinds: `SLO`, `SLI`, `AlertPolicy`, `AlertCondition`; `Service` is
/// accepted and ignored (a name SLOs group under); `AlertNotificationTarget`
/// and `DataSource` are refused (what OpenSRE cannot honour is an error, not
/// silently dropped).
struct OpenSLOCatalogue {
    enum Lookup<Value> {
        case valid(Value)
        case invalid
        case missing
    }

    private struct Document {
        let node: Node
        let file: String
        let index: Int
    }

    private(set) var problems: [String] = []
    private var slos: [Document] = []
    private var indicators: [String: Lookup<SLOIndicator>] = [:]
    private var conditions: [String: Lookup<SLOAlertCondition>] = [:]
    private var policies: [String: Lookup<SLOAlertPolicy>] = [:]
    /// Policies are read after every condition is known.
    private var policyDocuments: [(name: String, document: Document)] = []

    /// Adds the documents of one file.
    mutating func add(yaml: String, file: String) {
        let documents: [Node]
        do {
            documents = Array(try Yams.compose_all(yaml: yaml).compactMap { $0 })
        } catch {
            problems.append("\(file): not valid YAML: \(error)")
            return
        }
        for (index, node) in documents.enumerated() { add(Document(node: node, file: file, index: index + 1)) }
    }

    private mutating func add(_ document: Document) {
        var reader = SLODocumentReader(file: document.file, document: document.index)
        defer { problems += reader.problems }
        let root = document.node
        guard let apiVersion = root["apiVersion"]?.string, apiVersion == "openslo/v1" else {
            reader.fail("apiVersion", "must be openslo/v1, got \(root["apiVersion"]?.string ?? "nothing")")
            return
        }
        let kind = root["kind"]?.string ?? ""
        switch kind {
        case "SLO":
            slos.append(document)
        case "SLI":
            guard let name = reader.name(of: root, kind: kind), unique(name, in: indicators, &reader) else { return }
            indicators[name] = reader.sli(root).map(Lookup.valid) ?? .invalid
        case "AlertCondition":
            guard let name = reader.name(of: root, kind: kind), unique(name, in: conditions, &reader) else { return }
            conditions[name] = reader.alertCondition(root).map(Lookup.valid) ?? .invalid
        case "AlertPolicy":
            guard let name = reader.name(of: root, kind: kind) else { return }
            guard !policyDocuments.contains(where: { $0.name == name }) else {
                reader.fail("metadata.name", "another AlertPolicy is named \(name)")
                return
            }
            policyDocuments.append((name, document))
        case "Service":
            return
        case "AlertNotificationTarget":
            reader.fail(
                "kind",
                "AlertNotificationTarget is not supported: OpenSRE writes alert rules; route them in Alertmanager (a policy's targetRef names go on its alerts as the notification_targets label)")
        case "DataSource":
            reader.fail("kind", "DataSource is not supported: indicators read the collector's own metrics (metricSource.type: opensre)")
        default:
            reader.fail("kind", "expected SLO, SLI, AlertPolicy, AlertCondition or Service, got \(kind.isEmpty ? "nothing" : kind)")
        }
    }

    private func unique<Value>(_ name: String, in documents: [String: Value], _ reader: inout SLODocumentReader) -> Bool {
        guard documents[name] == nil else {
            reader.fail("metadata.name", "another document of this kind is named \(name)")
            return false
        }
        return true
    }

    func indicator(named name: String) -> Lookup<SLOIndicator> { indicators[name] ?? .missing }
    func condition(named name: String) -> Lookup<SLOAlertCondition> { conditions[name] ?? .missing }
    func policy(named name: String) -> Lookup<SLOAlertPolicy> { policies[name] ?? .missing }

    /// Every SLO, with what it refers to resolved; `problems` holds the rest.
    mutating func definitions() -> [SLODefinition] {
        for (name, document) in policyDocuments where policies[name] == nil {
            var reader = SLODocumentReader(file: document.file, document: document.index)
            policies[name] = reader.alertPolicy(document.node, catalogue: self).map(Lookup.valid) ?? .invalid
            problems += reader.problems
        }
        var definitions: [SLODefinition] = []
        for document in slos {
            var reader = SLODocumentReader(file: document.file, document: document.index)
            if let definition = reader.slo(document.node, catalogue: self) { definitions.append(definition) }
            problems += reader.problems
        }
        return definitions
    }
}
