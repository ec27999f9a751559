extension StringProtocol {
    /// The text without the leading and trailing characters `isTrimmed`
    /// picks (spaces in configuration values, spaces and tabs in HTTP headers).
    package func trimming(where isTrimmed: (Character) -> Bool) -> String {
        String(drop(while: isTrimmed).reversed().drop(while: isTrimmed).reversed())
    }
}
