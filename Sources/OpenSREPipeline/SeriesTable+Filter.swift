extension SeriesTable {
    /// Keeps only the entries whose value satisfies `keep` (rebuilds the table).
    mutating func removeAll(where shouldRemove: (Value) -> Bool) {
        guard values.contains(where: shouldRemove) else { return }
        var kept = SeriesTable<Value>(capacity: values.count)
        for index in values.indices where !shouldRemove(values[index]) {
            kept.insert(hash: hashes[index], key: keys[index], value: values[index])
        }
        self = kept
    }
}
