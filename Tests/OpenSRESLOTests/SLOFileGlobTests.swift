import Foundation
import OpenSRESLO
import Testing

@Suite("SLO definition paths (glob)")
struct SLOFileGlobTests {
    /// A fresh directory holding `names` (empty files), removed by the caller.
    static func directory(with names: [String]) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("slo-glob-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for name in names {
            try Data().write(to: directory.appendingPathComponent(name))
        }
        return directory
    }

    static let names = ["b.yaml", "a.yaml", "ab.yaml", ".hidden.yaml", "c.yml", "[x].yaml", #"back\slash.yaml"#, "é.json"]

    @Test(
        "wildcards only in the last component: * and ? match, [ ] and \\ are literal, hidden files match, sorted",
        arguments: [
            ("*.yaml", [".hidden.yaml", "[x].yaml", "a.yaml", "ab.yaml", "b.yaml", #"back\slash.yaml"#]),
            ("?.yaml", ["a.yaml", "b.yaml"]),
            ("a*", ["a.yaml", "ab.yaml"]),
            ("[x]*", ["[x].yaml"]),
            ("[ab].yaml", []),
            (#"back\*"#, [#"back\slash.yaml"#]),
            ("*.y?l", ["c.yml"]),
            ("c.yml", ["c.yml"]),
            ("[x].yaml", ["[x].yaml"]),
            ("missing.yaml", []),
            ("*.txt", []),
            ("?.json", ["é.json"]),
        ])
    func patterns(pattern: String, expected: [String]) throws {
        let directory = try Self.directory(with: Self.names)
        defer { try? FileManager.default.removeItem(at: directory) }
        let base = directory.path
        #expect(SLOFileGlob.expand(pattern, relativeTo: base) == expected.map { base + "/" + $0 })
    }

    @Test("the directory part is literal, wildcards and all")
    func literalDirectory() throws {
        let directory = try Self.directory(with: [])
        defer { try? FileManager.default.removeItem(at: directory) }
        let starred = directory.appendingPathComponent("d*")
        try FileManager.default.createDirectory(at: starred, withIntermediateDirectories: true)
        try Data().write(to: starred.appendingPathComponent("x.yaml"))
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("dz"), withIntermediateDirectories: true)
        try Data().write(to: directory.appendingPathComponent("dz/y.yaml"))
        #expect(SLOFileGlob.expand("d*/*.yaml", relativeTo: directory.path) == [starred.path + "/x.yaml"])
        #expect(SLOFileGlob.expand("d?/*.yaml", relativeTo: directory.path) == [])
    }

    @Test("a pattern with many stars over a long name answers at once (no exponential backtracking)")
    func pathological() throws {
        let long = String(repeating: "a", count: 200)
        let directory = try Self.directory(with: [long, long.dropLast() + "c"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let started = ContinuousClock.now
        #expect(SLOFileGlob.expand("a*a*a*a*a*a*a*a*b", relativeTo: directory.path) == [])
        #expect(SLOFileGlob.expand("a*a*a*a*a*a*a*a*a", relativeTo: directory.path) == [directory.path + "/" + long])
        // The matcher it replaced needed about (200 choose 8) steps for the first: years.
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test("a pattern that matches nothing is the loader's error, as before")
    func noMatch() throws {
        let directory = try Self.directory(with: ["a.yaml"])
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            _ = try OpenSLOLoader.load(patterns: ["*.json"], relativeTo: directory.path)
            Issue.record("expected an error")
        } catch {
            #expect(error.problems == ["*.json: no file matches"])
        }
    }
}
