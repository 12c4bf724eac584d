//! The Rust functions the prelude builds on (`native.*` in `js/prelude.js`): files,
//! compiling CommonJS modules, logging, clocks, randomness, hashes, timers and the outcome
//! of calls. They are the only way a script reaches the machine, and they read only.

use std::rc::Rc;
use std::time::Duration;

use caliper_core::time::{now_micros, with_intended_send_time};
use md5::Md5;
use rand::{Rng, RngCore};
use rquickjs::function::Opt;
use rquickjs::{Ctx, Exception, Function, Object, Value};
use sha1::Sha1;
use sha2::{Digest, Sha224, Sha256, Sha384, Sha512};

use crate::convert::describe_value;
use crate::engine::{Completion, State, eval_options};

/// The hash algorithms of `crypto.createHash`.
const HASHES: [&str; 6] = ["md5", "sha1", "sha224", "sha256", "sha384", "sha512"];

/// The `native` object handed to the prelude.
pub(crate) fn object<'js>(ctx: &Ctx<'js>, state: &Rc<State>) -> rquickjs::Result<Object<'js>> {
    let native = Object::new(ctx.clone())?;
    let c = || ctx.clone();

    native.set("cwd", Function::new(c(), cwd)?)?;
    native.set("workspace", Function::new(c(), cwd)?)?;
    native.set("now", Function::new(c(), || now_micros() as f64 / 1000.0)?)?;
    native.set("hrtimeNs", Function::new(c(), hrtime_ns)?)?;
    native.set("pid", Function::new(c(), std::process::id)?)?;
    native.set(
        "cpus",
        Function::new(c(), || std::thread::available_parallelism().map(|n| n.get() as u32).unwrap_or(1))?,
    )?;
    native.set("hostname", Function::new(c(), hostname)?)?;
    native.set(
        "env",
        Function::new(c(), |ctx: Ctx<'js>| -> rquickjs::Result<Object<'js>> {
            let env = Object::new(ctx)?;
            for (key, value) in std::env::vars() {
                env.set(key, value)?;
            }
            Ok(env)
        })?,
    )?;
    native.set("log", Function::new(c(), log)?)?;
    native.set(
        "randomBytes",
        Function::new(c(), |ctx: Ctx<'js>, n: f64| -> rquickjs::Result<Vec<u8>> {
            if !(0.0..=(1u64 << 31) as f64).contains(&n) {
                return Err(Exception::throw_range(
                    &ctx,
                    &format!("The value of \"size\" is out of range: {n}"),
                ));
            }
            let mut bytes = vec![0u8; n as usize];
            rand::rng().fill_bytes(&mut bytes);
            Ok(bytes)
        })?,
    )?;
    native.set("randomFloat", Function::new(c(), || rand::rng().random::<f64>())?)?;
    native.set(
        "hashAlgorithm",
        Function::new(c(), |ctx: Ctx<'js>, name: String| -> rquickjs::Result<String> {
            let lower = name.to_ascii_lowercase().replace('-', "");
            if HASHES.contains(&lower.as_str()) {
                Ok(lower)
            } else {
                Err(Exception::throw_message(
                    &ctx,
                    &format!("Digest method not supported: {name} (caliper-rs offers {})", HASHES.join(", ")),
                ))
            }
        })?,
    )?;
    native.set(
        "hashAlgorithms",
        Function::new(c(), || HASHES.iter().map(|h| h.to_string()).collect::<Vec<_>>())?,
    )?;
    native.set("hash", Function::new(c(), |algorithm: String, data: Vec<u8>| hash(&algorithm, &data))?)?;
    native.set(
        "readFile",
        Function::new(c(), |ctx: Ctx<'js>, path: String| -> rquickjs::Result<String> {
            std::fs::read_to_string(&path).map_err(|e| io_error(&ctx, "open", &path, &e))
        })?,
    )?;
    native.set(
        "readBytes",
        Function::new(c(), |ctx: Ctx<'js>, path: String| -> rquickjs::Result<Vec<u8>> {
            std::fs::read(&path).map_err(|e| io_error(&ctx, "open", &path, &e))
        })?,
    )?;
    native.set(
        "stat",
        Function::new(c(), |path: String| -> Option<&'static str> {
            let meta = std::fs::metadata(path).ok()?;
            Some(if meta.is_dir() { "dir" } else { "file" })
        })?,
    )?;
    native.set(
        "readDir",
        Function::new(c(), |ctx: Ctx<'js>, path: String| -> rquickjs::Result<Vec<String>> {
            let entries = std::fs::read_dir(&path).map_err(|e| io_error(&ctx, "scandir", &path, &e))?;
            let mut names: Vec<String> =
                entries.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
            names.sort();
            Ok(names)
        })?,
    )?;
    native.set("compile", Function::new(c(), compile)?)?;

    let s = state.clone();
    native.set(
        "settle",
        Function::new(c(), move |id: f64, ok: bool, error: Opt<Value<'js>>| {
            let outcome = if ok {
                Ok(())
            } else {
                let text = error.0.as_ref().map(describe_value).unwrap_or_else(|| "rejected".to_string());
                Err(match s.interrupted_message() {
                    Some(stopped) => format!("{stopped}: {text}"),
                    None => text,
                })
            };
            s.settle(id as u64, outcome);
        })?,
    )?;

    let s = state.clone();
    native.set(
        "timer",
        Function::new(c(), move |id: f64, ms: f64| {
            let intended = s.intended.get();
            let owner = s.own_task();
            let delay = Duration::from_secs_f64((ms / 1000.0).clamp(0.0, 1e7));
            s.tasks.borrow_mut().push(Box::pin(async move {
                let sleep = tokio::time::sleep(delay);
                match intended {
                    Some(t) => with_intended_send_time(t, sleep).await,
                    None => sleep.await,
                }
                Completion::Timer { id, intended, owner }
            }));
        })?,
    )?;
    Ok(native)
}

fn cwd() -> String {
    std::env::current_dir().map(|p| p.to_string_lossy().into_owned()).unwrap_or_else(|_| "/".to_string())
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "localhost".into())
}

/// Monotonic nanoseconds for `process.hrtime` (from the process's one clock).
fn hrtime_ns() -> f64 {
    now_micros() as f64 * 1000.0
}

/// A script's log line, at the level the script chose, in the worker's log.
fn log(level: i32, name: String, message: String) {
    match level {
        0 => tracing::error!(target: "caliper_js", "[{name}] {message}"),
        1 => tracing::warn!(target: "caliper_js", "[{name}] {message}"),
        2 => tracing::info!(target: "caliper_js", "[{name}] {message}"),
        _ => tracing::debug!(target: "caliper_js", "[{name}] {message}"),
    }
}

fn hash(algorithm: &str, data: &[u8]) -> Vec<u8> {
    match algorithm {
        "md5" => Md5::digest(data).to_vec(),
        "sha1" => Sha1::digest(data).to_vec(),
        "sha224" => Sha224::digest(data).to_vec(),
        "sha384" => Sha384::digest(data).to_vec(),
        "sha512" => Sha512::digest(data).to_vec(),
        _ => Sha256::digest(data).to_vec(),
    }
}

/// Node's shape of a file error (`ENOENT: no such file or directory, open '<path>'`).
fn io_error(ctx: &Ctx<'_>, op: &str, path: &str, err: &std::io::Error) -> rquickjs::Error {
    let code = match err.kind() {
        std::io::ErrorKind::NotFound => "ENOENT: no such file or directory",
        std::io::ErrorKind::PermissionDenied => "EACCES: permission denied",
        std::io::ErrorKind::IsADirectory => "EISDIR: illegal operation on a directory",
        _ => "EIO",
    };
    Exception::throw_message(ctx, &format!("{code}, {op} '{path}' ({err})"))
}

/// Compiles a CommonJS module as Node does: the source inside a function of `exports,
/// require, module, __filename, __dirname`, opened on the source's first line so line numbers
/// in stacks are the file's own.
fn compile<'js>(ctx: Ctx<'js>, source: String, file: String) -> rquickjs::Result<Function<'js>> {
    // A shebang line is not JavaScript; keep the line so numbering holds.
    let body = match source.strip_prefix("#!") {
        Some(rest) => format!("//{rest}"),
        None => source,
    };
    let wrapped = format!("(function (exports, require, module, __filename, __dirname) {{{body}\n}})");
    ctx.eval_with_options(wrapped, eval_options(&file, false))
}
