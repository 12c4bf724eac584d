//! The two Google messages the protocol uses: a timestamp in channel headers, and the
//! `google.rpc.Status` that carries the gateway's error details.

/// `google.protobuf.Timestamp`.
#[derive(Clone, Copy, PartialEq, Eq, ::prost::Message)]
pub struct Timestamp {
    /// Seconds since the Unix epoch.
    #[prost(int64, tag = "1")]
    pub seconds: i64,
    /// Nanoseconds within the second.
    #[prost(int32, tag = "2")]
    pub nanos: i32,
}

/// `google.protobuf.Any`: a message with the URL of its type.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct Any {
    /// The type, such as `type.googleapis.com/gateway.ErrorDetail`.
    #[prost(string, tag = "1")]
    pub type_url: String,
    /// The encoded message.
    #[prost(bytes = "vec", tag = "2")]
    pub value: Vec<u8>,
}

/// `google.rpc.Status`: what a gRPC error carries in its `grpc-status-details-bin` trailer.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct RpcStatus {
    /// The gRPC status code.
    #[prost(int32, tag = "1")]
    pub code: i32,
    /// The message.
    #[prost(string, tag = "2")]
    pub message: String,
    /// The details; the gateway's are `gateway.ErrorDetail`s.
    #[prost(message, repeated, tag = "3")]
    pub details: Vec<Any>,
}
