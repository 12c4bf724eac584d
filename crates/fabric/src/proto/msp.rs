//! Package `msp`: the identity that signs.

/// `msp.SerializedIdentity`: the creator of a transaction.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct SerializedIdentity {
    /// The MSP the identity belongs to.
    #[prost(string, tag = "1")]
    pub mspid: String,
    /// The X.509 certificate, as PEM text.
    #[prost(bytes = "vec", tag = "2")]
    pub id_bytes: Vec<u8>,
}
