//! `caliper check`: the validation `launch manager` starts with, and a description of what the
//! run would do. It starts nothing: no start or end command, no connector, no worker.

use std::fmt::Write as _;
use std::io::Write as _;

use caliper_core::config::NetworkConfig;
use caliper_core::manager::{RoundSize, RunPlan};
use caliper_core::settings::Settings;
use serde_json::{Value, json};

use super::setup;
use super::validate::{self, Validated};
use crate::args::Output;
use crate::exit;
use crate::logging::LogStyle;
use crate::registry::Registries;

/// Runs the check; returns the exit code (0 valid, 2 not).
pub fn run(args: Vec<String>, output: Output, registries: &Registries) -> i32 {
    let (args, output) = output_among_settings(args, output);
    let settings = match setup::settings(args, LogStyle::Person) {
        Ok(s) => s,
        Err(unloaded) => {
            print_invalid(output, std::slice::from_ref(&unloaded.message));
            return unloaded.code();
        }
    };
    match validate::workspace(&settings, registries) {
        Ok(validated) => {
            let text = match output {
                Output::Text => describe(&settings, &validated),
                Output::Json => format!("{:#}", plan_json(&settings, &validated)),
            };
            let _ = writeln!(std::io::stdout(), "{text}");
            exit::OK
        }
        Err(problems) => {
            for problem in &problems {
                tracing::error!("{problem}");
            }
            print_invalid(output, &problems);
            exit::CONFIG
        }
    }
}

/// `--output` given after a `--caliper-*` setting reaches the settings list (clap hands it
/// everything from the first setting on): it is taken out here.
fn output_among_settings(args: Vec<String>, mut output: Output) -> (Vec<String>, Output) {
    let mut rest = Vec::with_capacity(args.len());
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let value = match arg.strip_prefix("--output") {
            Some("") => args.next(),
            Some(v) if v.starts_with('=') => Some(v[1..].to_string()),
            _ => {
                rest.push(arg);
                continue;
            }
        };
        match value.as_deref() {
            Some("json") => output = Output::Json,
            Some("text") => output = Output::Text,
            // Not ours: the settings layer says what is wrong with it.
            _ => rest.extend([arg].into_iter().chain(value)),
        }
    }
    (rest, output)
}

fn print_invalid(output: Output, problems: &[String]) {
    if output == Output::Json {
        let doc = json!({"valid": false, "errors": problems});
        let _ = writeln!(std::io::stdout(), "{doc:#}");
    }
}

/// What a run would do, for a person.
fn describe(settings: &Settings, v: &Validated) -> String {
    let (plan, network, flow) = (&v.plan, &v.network, v.plan.phases);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "The workspace {} is valid. A run would do this (check did none of it):",
        settings.workspace().display()
    );
    let _ = writeln!(
        out,
        "  connector    {} (network configuration {})",
        network.blockchain,
        network.path.display()
    );
    let _ = writeln!(out, "  workers      {}, {}", validate::describe_workers(plan), v.transport.describe());
    let _ = writeln!(out, "  start        {}", command(network.start.as_deref(), flow.start, "start"));
    let _ = writeln!(out, "  init         {}", phase(flow.init, "the manager's connector: init", "init"));
    let _ = writeln!(
        out,
        "  install      {}",
        phase(flow.install, "the manager's connector: installSmartContract", "install")
    );
    let test = format!("benchmark \"{}\", {} round(s)", plan.name, plan.rounds.len());
    let _ = writeln!(out, "  test         {}", phase(flow.test, &test, "test"));
    for (i, round) in plan.rounds.iter().enumerate() {
        let size = match round.size {
            RoundSize::Transactions(n) => format!("txNumber {n}"),
            RoundSize::Duration(d) => format!("txDuration {} s", d.as_secs_f64()),
        };
        let _ = writeln!(
            out,
            "    round {i}    {}: {size}, rate {} {}, workload {}",
            round.label, round.rate_control.kind, round.rate_control.opts, round.workload.module
        );
    }
    if !v.monitors.is_empty() {
        let names: Vec<&str> = v.monitors.iter().map(|m| m.module()).collect();
        let _ = writeln!(out, "  monitors     {} (around each round's test phase)", names.join(", "));
    }
    let _ = write!(out, "  end          {}", command(network.end.as_deref(), flow.end, "end"));
    out
}

fn phase(enabled: bool, what: &str, name: &str) -> String {
    if enabled { what.to_string() } else { format!("skipped (caliper-flow: {name} does not run)") }
}

fn command(command: Option<&str>, enabled: bool, name: &str) -> String {
    match command {
        None => "no command".to_string(),
        Some(c) => phase(enabled, &format!("sh -c {c:?} in the workspace"), name),
    }
}

/// What a run would do, for a program.
fn plan_json(settings: &Settings, v: &Validated) -> Value {
    let (plan, network): (&RunPlan, &NetworkConfig) = (&v.plan, &v.network);
    let flow = plan.phases;
    let (messenger, broker, remote) = (v.transport.name(), v.transport.address(), v.transport.remote());
    let rounds: Vec<Value> = plan
        .rounds
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut round = json!({
                "index": i,
                "label": r.label,
                "rateControl": {"type": r.rate_control.kind, "opts": r.rate_control.opts},
                "workload": {"module": r.workload.module},
            });
            match r.size {
                RoundSize::Transactions(n) => round["txNumber"] = json!(n),
                RoundSize::Duration(d) => round["txDuration"] = json!(d.as_secs_f64()),
            }
            round
        })
        .collect();
    json!({
        "valid": true,
        "workspace": settings.workspace(),
        "connector": network.blockchain,
        "networkConfig": network.path,
        "benchmark": {"name": plan.name, "description": plan.description},
        "workers": {"number": plan.workers, "auto": plan.workers_auto, "messenger": messenger, "broker": broker, "remote": remote},
        "phases": {"start": flow.start, "init": flow.init, "install": flow.install, "test": flow.test, "end": flow.end},
        "commands": {"start": network.start, "end": network.end},
        "rounds": rounds,
        "monitors": v.monitors.iter().map(|m| m.module()).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn output_is_found_among_the_settings() {
        let args = strings(&["--caliper-workspace", "x", "--output", "json", "--caliper-a=1"]);
        let (rest, output) = output_among_settings(args, Output::Text);
        assert_eq!((rest, output), (strings(&["--caliper-workspace", "x", "--caliper-a=1"]), Output::Json));
        let (rest, output) = output_among_settings(strings(&["--output=text"]), Output::Json);
        assert_eq!((rest, output), (vec![], Output::Text));
        let (rest, output) = output_among_settings(strings(&["--output", "xml"]), Output::Text);
        assert_eq!((rest, output), (strings(&["--output", "xml"]), Output::Text));
    }
}
