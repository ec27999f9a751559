import Yams

/// Walks a composed YAML tree, collecting issues with their key paths instead
/// of stopping at the first one.
struct YAMLReader {
    private(set) var issues: [ConfigurationIssue] = []

    mutating func fail(_ path: String, _ message: String, _ node: Node?) {
        issues.append(ConfigurationIssue(path: path, message: message, line: node?.mark?.line))
    }

    /// True for a missing value (`key:` with nothing after it, `~`, `null`).
    static func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node else { return false }
        return scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// The entries of a mapping, checking every key against `allowed`
    /// (nil allows any key). A null node is an empty mapping.
    mutating func mapping(_ node: Node?, at path: String, allowed: [String]?) -> [(key: String, value: Node)] {
        guard let node, !Self.isNull(node) else { return [] }
        guard case .mapping(let mapping) = node else {
            fail(path, "expected a mapping", node)
            return []
        }
        var entries: [(key: String, value: Node)] = []
        var seen: Set<String> = []
        for (keyNode, value) in mapping {
            guard let key = keyNode.string else {
                fail(path, "keys must be strings", keyNode)
                continue
            }
            let child = Self.join(path, key)
            if let allowed, !allowed.contains(key) {
                fail(child, "unknown key \"\(key)\" (expected one of: \(allowed.joined(separator: ", ")))", keyNode)
                continue
            }
            if !seen.insert(key).inserted {
                fail(child, "duplicate key", keyNode)
                continue
            }
            entries.append((key, value))
        }
        return entries
    }

    mutating func string(_ node: Node, at path: String) -> String? {
        guard case .scalar(let scalar) = node else {
            fail(path, "expected a string", node)
            return nil
        }
        return scalar.string
    }

    mutating func bool(_ node: Node, at path: String) -> Bool? {
        guard case .scalar = node, let value = node.bool else {
            fail(path, "expected true or false", node)
            return nil
        }
        return value
    }

    mutating func integer(_ node: Node, at path: String, minimum: Int, maximum: Int = .max) -> Int? {
        guard case .scalar = node, let value = node.int else {
            fail(path, "expected an integer", node)
            return nil
        }
        guard value >= minimum else {
            fail(path, "must be at least \(minimum), got \(value)", node)
            return nil
        }
        guard value <= maximum else {
            fail(path, "must be at most \(maximum), got \(value)", node)
            return nil
        }
        return value
    }

    mutating func stringList(_ node: Node, at path: String) -> [String] {
        guard case .sequence(let sequence) = node else {
            fail(path, "expected a list", node)
            return []
        }
        return sequence.enumerated().compactMap { index, item in string(item, at: "\(path)[\(index)]") }
    }

    static func join(_ path: String, _ key: String) -> String {
        path.isEmpty ? key : path + "." + key
    }
}
