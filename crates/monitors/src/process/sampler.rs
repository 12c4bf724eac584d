//! The sampling thread of the `process` monitor: reads the process table with sysinfo at the
//! start of the round, every interval, and at its end. A thread of its own because a read of
//! the whole table takes milliseconds of blocking system calls.

use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use sysinfo::{ProcessRefreshKind, ProcessStatus, ProcessesToUpdate, System, UpdateKind};

use super::matching::{ProcessView, matches};
use super::readings::{Reading, Readings};

/// A running sampler; [`Sampler::stop`] takes the last sample and returns the readings.
pub(crate) struct Sampler {
    stop: Sender<()>,
    thread: JoinHandle<Readings>,
}

impl Sampler {
    /// Starts sampling `readings`' items every `interval`; the first sample is taken at once.
    pub(crate) fn start(readings: Readings, interval: Duration) -> std::io::Result<Sampler> {
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new().name("process-monitor".into()).spawn(move || {
            let mut readings = readings;
            let started = Instant::now();
            let Ok(mut system) = System::new() else {
                readings.problem("the process table cannot be read on this system".into());
                return readings;
            };
            sample(&mut system, &mut readings, started, false);
            // Until stopped (or the monitor is dropped); then the last sample, at the round's end.
            while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(interval) {
                sample(&mut system, &mut readings, started, true);
            }
            sample(&mut system, &mut readings, started, true);
            readings
        })?;
        Ok(Sampler { stop, thread })
    }

    /// Takes the last sample and returns everything measured.
    pub(crate) async fn stop(self) -> Result<Readings, String> {
        let _ = self.stop.send(());
        let thread = self.thread;
        match tokio::task::spawn_blocking(move || thread.join()).await {
            Ok(Ok(readings)) => Ok(readings),
            Ok(Err(_)) => Err("the sampling thread failed".into()),
            Err(e) => Err(format!("the sampling thread could not be joined: {e}")),
        }
    }
}

/// One read of the process table, recorded for every item.
fn sample(system: &mut System, readings: &mut Readings, started: Instant, keep: bool) {
    // The command line and executable of a process do not change: read once per process.
    let kind = ProcessRefreshKind::nothing()
        .with_cpu()
        .with_memory()
        .with_cmd(UpdateKind::OnlyIfNotSet)
        .with_exe(UpdateKind::OnlyIfNotSet);
    system.refresh_processes_specifics(ProcessesToUpdate::All, true, kind);
    let t = started.elapsed().as_secs_f64();
    let mut matched: Vec<Vec<Reading>> = vec![Vec::new(); readings.specs().len()];
    for (pid, process) in system.processes() {
        // sysinfo lists threads as tasks of their process; only processes are measured. A
        // zombie has exited (its parent has not reaped it yet): it counts as gone.
        if process.thread_kind().is_some() || process.status() == ProcessStatus::Zombie {
            continue;
        }
        let name = process.name().to_string_lossy();
        let cmd: Vec<String> = process.cmd().iter().map(|a| a.to_string_lossy().into_owned()).collect();
        let view = ProcessView { name: &name, cmd: &cmd, exe: process.exe() };
        for (i, spec) in readings.specs().iter().enumerate() {
            if matches(spec, view) {
                matched[i].push(Reading {
                    pid: pid.as_u32(),
                    cpu: f64::from(process.cpu_usage()),
                    memory: process.memory() as f64,
                });
            }
        }
    }
    for (i, found) in matched.iter().enumerate() {
        readings.record(t, i, found, keep);
    }
}
