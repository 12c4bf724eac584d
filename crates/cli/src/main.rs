//! `caliper`: the binary, with the built-in connectors, workloads, observers, monitors and
//! messengers (see `lib.rs` for the command as a library).

fn main() -> std::process::ExitCode {
    caliper_cli::run()
}
