// Starts the simple chaincode in one of Fabric's two ways:
// - as a service (when CHAINCODE_SERVER_ADDRESS is set): a gRPC server that the peer dials,
//   found through the package's connection.json; this is how the caliper-rs test harness and
//   `network.sh deployCCAAS`-style deployments run it;
// - otherwise as a client of the peer, the way Fabric's own Node chaincode launcher starts it
//   (`npm start -- --peer.address ...`), e.g. after `network.sh deployCC -ccl javascript`.
//
//   CHAINCODE_ID              the package id that `peer lifecycle chaincode install` printed
//   CHAINCODE_SERVER_ADDRESS  where to listen as a service, host:port (e.g. 127.0.0.1:9999)
//   CHAINCODE_TLS_KEY_FILE, CHAINCODE_TLS_CERT_FILE, CHAINCODE_TLS_CLIENT_CA_FILE
//                             optional: serve TLS (and ask for client certificates with the CA)
'use strict';

const fs = require('fs');
const shim = require('fabric-shim');
const { SimpleChaincode } = require('./simple');

function required(name) {
    const value = process.env[name];
    if (!value) {
        console.error(`${name} is not set: the chaincode server needs it (see the header of index.js)`);
        process.exit(2);
    }
    return value;
}

function tlsProps() {
    const key = process.env.CHAINCODE_TLS_KEY_FILE;
    const cert = process.env.CHAINCODE_TLS_CERT_FILE;
    if (!key && !cert) {
        return undefined;
    }
    const props = { key: fs.readFileSync(key), cert: fs.readFileSync(cert) };
    if (process.env.CHAINCODE_TLS_CLIENT_CA_FILE) {
        props.clientCACerts = fs.readFileSync(process.env.CHAINCODE_TLS_CLIENT_CA_FILE);
    }
    return props;
}

if (!process.env.CHAINCODE_SERVER_ADDRESS) {
    // The peer's launcher passes the peer address and chaincode id on the command line.
    shim.start(new SimpleChaincode());
} else {
    const server = shim.server(new SimpleChaincode(), {
        ccid: required('CHAINCODE_ID'),
        address: process.env.CHAINCODE_SERVER_ADDRESS,
        tlsProps: tlsProps(),
    });
    server.start().then(
        () => console.log(`simple chaincode listening on ${process.env.CHAINCODE_SERVER_ADDRESS}`),
        (err) => {
            console.error(`the simple chaincode server could not start: ${err.message}`);
            process.exit(1);
        },
    );
}
