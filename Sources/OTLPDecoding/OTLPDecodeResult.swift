import OpenSREModel

/// The outcome of decoding one export request.
package struct OTLPDecodeResult: Sendable {
    /// Everything accepted, ready for the processor's ring.
    package var batch: DecodedBatch
    /// Points refused while decoding (unsupported type, invalid histogram...).
    package var rejected: RejectedPoints
}
