//! Package `common`: envelopes and their headers.

use super::google::Timestamp;

/// `common.HeaderType.ENDORSER_TRANSACTION`: the type of every proposal the connector builds.
pub const HEADER_TYPE_ENDORSER_TRANSACTION: i32 = 3;

/// `common.Envelope`: a signed payload (the prepared transaction).
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct Envelope {
    /// An encoded [`Payload`].
    #[prost(bytes = "vec", tag = "1")]
    pub payload: Vec<u8>,
    /// The creator's signature of `payload`.
    #[prost(bytes = "vec", tag = "2")]
    pub signature: Vec<u8>,
}

/// `common.Payload`.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct Payload {
    /// The headers.
    #[prost(message, optional, tag = "1")]
    pub header: Option<Header>,
    /// The content: an encoded `protos.Transaction` for an endorser transaction.
    #[prost(bytes = "vec", tag = "2")]
    pub data: Vec<u8>,
}

/// `common.Header`: both headers, each encoded.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct Header {
    /// An encoded [`ChannelHeader`].
    #[prost(bytes = "vec", tag = "1")]
    pub channel_header: Vec<u8>,
    /// An encoded [`SignatureHeader`].
    #[prost(bytes = "vec", tag = "2")]
    pub signature_header: Vec<u8>,
}

/// `common.ChannelHeader`.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct ChannelHeader {
    /// The header type ([`HEADER_TYPE_ENDORSER_TRANSACTION`]).
    #[prost(int32, tag = "1")]
    pub r#type: i32,
    /// The message protocol version (left 0, as the official clients do).
    #[prost(int32, tag = "2")]
    pub version: i32,
    /// When the proposal was made.
    #[prost(message, optional, tag = "3")]
    pub timestamp: Option<Timestamp>,
    /// The channel.
    #[prost(string, tag = "4")]
    pub channel_id: String,
    /// The transaction id: lowercase hex of SHA-256(nonce ‖ creator).
    #[prost(string, tag = "5")]
    pub tx_id: String,
    /// The epoch (0).
    #[prost(uint64, tag = "6")]
    pub epoch: u64,
    /// An encoded `protos.ChaincodeHeaderExtension`.
    #[prost(bytes = "vec", tag = "7")]
    pub extension: Vec<u8>,
    /// The hash of the client's TLS certificate (only for block events; left empty).
    #[prost(bytes = "vec", tag = "8")]
    pub tls_cert_hash: Vec<u8>,
}

/// `common.SignatureHeader`.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct SignatureHeader {
    /// An encoded `msp.SerializedIdentity`.
    #[prost(bytes = "vec", tag = "1")]
    pub creator: Vec<u8>,
    /// Random bytes, used once (24, as the official clients send).
    #[prost(bytes = "vec", tag = "2")]
    pub nonce: Vec<u8>,
}
