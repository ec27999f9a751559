/// Limits on header blocks: NIO's default list size (16 KiB) is what gRPC
/// clients expect too (8 KiB in grpc-go, 16 KiB in grpc-core).
enum HPACKDecoderLimits {
    static let maxHeaderListSize = 16 << 10
}
