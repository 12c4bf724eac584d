//! Test certificates, made at test time with the `openssl` command line (scripts/test.sh
//! installs it): EC P-256 keys, valid for two days, in PEM files named after their role.

use std::path::Path;
use std::process::Command;

/// Runs `openssl args` in `dir`; panics with openssl's message when it fails.
pub fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl").args(args).current_dir(dir).output().expect("openssl runs");
    assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// A new EC P-256 key, no passphrase, in `openssl req`'s terms.
const EC: [&str; 5] = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

/// A self-signed CA in `dir`: `<name>.pem` and `<name>.key`, its subject `/CN=<cn>`.
pub fn ca(dir: &Path, name: &str, cn: &str) {
    let (pem, key, subj) = (format!("{name}.pem"), format!("{name}.key"), format!("/CN={cn}"));
    let args = ["req", "-x509", "-days", "2", "-subj", &subj, "-keyout", &key, "-out", &pem];
    openssl(dir, &[&args[..], &EC[..]].concat());
}

/// A certificate for `who` (`<who>.pem`, `<who>.key`, subject `/CN=<who>`) signed by the CA
/// `<ca>.pem`/`<ca>.key` in `dir`, with the X.509 extensions `ext` (openssl's `-extfile`
/// syntax, one per line).
pub fn signed(dir: &Path, ca: &str, who: &str, ext: &str) {
    let (key, csr, pem, extfile, subj) = (
        format!("{who}.key"),
        format!("{who}.csr"),
        format!("{who}.pem"),
        format!("{who}.ext"),
        format!("/CN={who}"),
    );
    std::fs::write(dir.join(&extfile), ext).unwrap();
    let req = ["req", "-subj", &subj, "-keyout", &key, "-out", &csr];
    openssl(dir, &[&req[..], &EC[..]].concat());
    let (ca_pem, ca_key) = (format!("{ca}.pem"), format!("{ca}.key"));
    let x509 = ["x509", "-req", "-days", "2", "-in", &csr, "-CA", &ca_pem, "-CAkey", &ca_key];
    openssl(dir, &[&x509[..], &["-CAcreateserial", "-out", &pem, "-extfile", &extfile][..]].concat());
}

/// The server extensions: 127.0.0.1 and localhost, server authentication.
pub const SERVER_EXT: &str = "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n";
/// The client extensions: client authentication (mutual TLS).
pub const CLIENT_EXT: &str = "extendedKeyUsage=clientAuth\n";

/// In `dir`: a CA (`ca.pem`, `ca.key`), a server certificate for 127.0.0.1 and localhost
/// (`server.pem`, `server.key`) and a client certificate (`client.pem`, `client.key`), both
/// signed by the CA.
pub fn certificates(dir: &Path) {
    ca(dir, "ca", "caliper test CA");
    signed(dir, "ca", "server", SERVER_EXT);
    signed(dir, "ca", "client", CLIENT_EXT);
}
