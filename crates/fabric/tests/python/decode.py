"""Decodes the bytes caliper-fabric built with the official Fabric descriptors (PyPI
hyperledger-fabric-protos) and prints what they hold as JSON, for crates/fabric/tests/protos.rs.

Usage: python3 decode.py DIR, where DIR holds endorse.bin, submit.bin and commit_status.bin.
"""
import hashlib
import json
import sys

from fabric_protos.common import common_pb2
from fabric_protos.gateway import gateway_pb2
from fabric_protos.msp import identities_pb2
from fabric_protos.peer import chaincode_pb2, proposal_pb2, proposal_response_pb2, transaction_pb2


def read(directory, name, message):
    with open(f"{directory}/{name}", "rb") as f:
        message.ParseFromString(f.read())
    return message


def main(directory):
    endorse = read(directory, "endorse.bin", gateway_pb2.EndorseRequest())
    signed = endorse.proposed_transaction
    proposal = proposal_pb2.Proposal.FromString(signed.proposal_bytes)
    header = common_pb2.Header.FromString(proposal.header)
    channel_header = common_pb2.ChannelHeader.FromString(header.channel_header)
    signature_header = common_pb2.SignatureHeader.FromString(header.signature_header)
    creator = identities_pb2.SerializedIdentity.FromString(signature_header.creator)
    extension = proposal_pb2.ChaincodeHeaderExtension.FromString(channel_header.extension)
    payload = proposal_pb2.ChaincodeProposalPayload.FromString(proposal.payload)
    spec = chaincode_pb2.ChaincodeInvocationSpec.FromString(payload.input).chaincode_spec

    submit = read(directory, "submit.bin", gateway_pb2.SubmitRequest())
    envelope = submit.prepared_transaction
    env_payload = common_pb2.Payload.FromString(envelope.payload)
    env_channel = common_pb2.ChannelHeader.FromString(env_payload.header.channel_header)
    transaction = transaction_pb2.Transaction.FromString(env_payload.data)
    action_payload = transaction_pb2.ChaincodeActionPayload.FromString(transaction.actions[0].payload)
    response_payload = proposal_response_pb2.ProposalResponsePayload.FromString(
        action_payload.action.proposal_response_payload
    )
    chaincode_action = proposal_pb2.ChaincodeAction.FromString(response_payload.extension)

    commit = read(directory, "commit_status.bin", gateway_pb2.SignedCommitStatusRequest())
    commit_request = gateway_pb2.CommitStatusRequest.FromString(commit.request)

    out = {
        "endorse": {
            "transaction_id": endorse.transaction_id,
            "channel_id": endorse.channel_id,
            "endorsing_organizations": list(endorse.endorsing_organizations),
            "signature_len": len(signed.signature),
        },
        "channel_header": {
            "type": channel_header.type,
            "type_name": common_pb2.HeaderType.Name(channel_header.type),
            "channel_id": channel_header.channel_id,
            "tx_id": channel_header.tx_id,
            "timestamp_seconds": channel_header.timestamp.seconds,
            "timestamp_nanos": channel_header.timestamp.nanos,
            "epoch": channel_header.epoch,
            "chaincode": extension.chaincode_id.name,
        },
        "creator": {"mspid": creator.mspid, "id_bytes": creator.id_bytes.decode()},
        "nonce_hex": signature_header.nonce.hex(),
        "computed_tx_id": hashlib.sha256(signature_header.nonce + signature_header.creator).hexdigest(),
        "chaincode_spec": {
            "type_name": chaincode_pb2.ChaincodeSpec.Type.Name(spec.type),
            "name": spec.chaincode_id.name,
            "args": [a.decode() for a in spec.input.args],
        },
        "transient": {k: v.decode() for k, v in payload.TransientMap.items()},
        "submit": {
            "transaction_id": submit.transaction_id,
            "channel_id": submit.channel_id,
            "envelope_channel": env_channel.channel_id,
            "signature_len": len(envelope.signature),
            "result": chaincode_action.response.payload.decode(),
            "status": chaincode_action.response.status,
        },
        "commit_status": {
            "transaction_id": commit_request.transaction_id,
            "channel_id": commit_request.channel_id,
            "identity_is_creator": commit_request.identity == signature_header.creator,
            "signature_len": len(commit.signature),
        },
    }
    print(json.dumps(out, sort_keys=True))


if __name__ == "__main__":
    main(sys.argv[1])
