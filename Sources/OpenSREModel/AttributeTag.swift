/// The canonical byte encoding of an attribute set: the key a series is found by.
///
/// Layout, all integers little-endian:
/// ```
/// set    := entry*                      (sorted by key bytes; the decoder sorts)
/// entry  := keyLength:u32 key value
/// value  := tag:u8 payload
///   0 empty   -
///   1 string  length:u32 bytes
///   2 bool    u8
///   3 int     i64
///   4 double  f64 bits
///   5 array   count:u32 value*
///   6 map     count:u32 (keyLength:u32 key value)*   (in the order sent)
///   7 bytes   length:u32 bytes
/// ```
/// Two attribute sets are the same series exactly when their encodings are
/// byte-equal, so lookups compare bytes and never rebuild Swift values.
/// ``AttributeEncoder`` is the one writer of this layout (both decoders and
/// Swift values go through it); ``AttributeDecoder`` reads it back.
package enum AttributeTag: UInt8 {
    case empty = 0, string, bool, int, double, array, map, bytes
}
