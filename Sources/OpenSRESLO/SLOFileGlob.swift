import Foundation
import Glibc

/// Expands the paths of `processors.slo.definitions` (and `opensre slo rules
/// --definitions`): `dir/*.yaml`-style patterns, with `*` (any run) and `?`
/// (one character) wildcards in the last path component only.
///
/// The matching is glob(3)'s, whose `fnmatch` does not backtrack
/// exponentially as the hand-written matcher it replaced did. Its own pattern
/// language is narrowed to what the option has always meant: `[`, `]` and `\`
/// are escaped, so they match themselves, and so is everything in the
/// directory part. `GLOB_PERIOD` lets a wildcard match a leading `.` (hidden
/// files matched before too; `.` and `..` are left out). `GLOB_NOCHECK` is
/// not set on purpose: a pattern that matches nothing yields no path, so the
/// loader reports "no file matches" rather than trying to read the pattern.
/// Results are sorted by Swift's string order and written `directory/name`
/// with the directory as given, as before.
///
/// A Swift process runs in the C locale, where `fnmatch`'s `?` matches one
/// byte; the expansion switches its own thread to `C.UTF-8` (`uselocale`), so
/// that `?` matches a non-ASCII character as the old matcher did. glibc then
/// also tries the pattern byte-wise, so `a??.yaml` matches `aé.yaml` too:
/// every name matched before still is.
package enum SLOFileGlob {
    /// The files `pattern` names, relative to `base` unless absolute; none when nothing matches.
    package static func expand(_ pattern: String, relativeTo base: String) -> [String] {
        let full = pattern.hasPrefix("/") ? pattern : base + "/" + pattern
        let url = URL(fileURLWithPath: full)
        let name = url.lastPathComponent
        guard name.contains("*") || name.contains("?") else {
            return FileManager.default.fileExists(atPath: full) ? [full] : []
        }
        let directory = url.deletingLastPathComponent().path
        let globPattern = escaped(directory, keeping: []) + "/" + escaped(name, keeping: ["*", "?"])
        let utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", nil)
        let previous = utf8.map { uselocale($0) }
        defer {
            if let utf8, let previous {
                uselocale(previous)
                freelocale(utf8)
            }
        }
        var found = glob_t()
        defer { globfree(&found) }
        guard glob(globPattern, GLOB_PERIOD | GLOB_NOSORT, nil, &found) == 0 else { return [] }
        var paths: [String] = []
        for index in 0..<Int(found.gl_pathc) {
            guard let match = found.gl_pathv[index] else { continue }
            guard let entry = String(cString: match).split(separator: "/").last, entry != ".", entry != ".." else { continue }
            paths.append(directory + "/" + entry)
        }
        return paths.sorted()
    }

    /// `text` with glob(3)'s special characters escaped, except those in `keeping`.
    private static func escaped(_ text: String, keeping wildcards: Set<Character>) -> String {
        var out = ""
        for character in text {
            if "*?[\\".contains(character), !wildcards.contains(character) { out.append("\\") }
            out.append(character)
        }
        return out
    }
}
