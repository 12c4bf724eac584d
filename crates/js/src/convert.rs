//! Values across the boundary: JavaScript requests to JSON for the connector, JSON
//! (arguments, contexts, results) to JavaScript, TxStatus objects, and errors to text.
//!
//! Requests are walked value by value rather than through `JSON.stringify` and a parse:
//! it is the hot path, and the walk allocates only the JSON it builds. The walk follows
//! `JSON.stringify`'s rules (functions, symbols and `undefined` vanish from objects and are
//! `null` in arrays, non-finite numbers are `null`, `toJSON` is honoured) so a request means
//! what it would mean to Caliper's connectors.

use caliper_core::TxStatus;
use caliper_core::connector::TxState;
use rquickjs::convert::Coerced;
use rquickjs::function::Args;
use rquickjs::{Array, Ctx, Function, Object, Type, Value};
use serde_json::{Map, Number, Value as Json};

use crate::engine::State;

/// How deep a request may nest; deeper means a cycle, most likely.
const MAX_DEPTH: u32 = 512;

/// The JSON of a JavaScript value, or `None` where `JSON.stringify` would leave it out.
pub(crate) fn to_json<'js>(value: &Value<'js>, depth: u32) -> Result<Option<Json>, String> {
    if depth > MAX_DEPTH {
        return Err(format!("the request nests deeper than {MAX_DEPTH} levels (is it cyclic?)"));
    }
    Ok(Some(match value.type_of() {
        Type::Uninitialized | Type::Undefined | Type::Function | Type::Constructor | Type::Symbol => {
            return Ok(None);
        }
        Type::Null => Json::Null,
        Type::Bool => Json::Bool(value.as_bool().unwrap_or(false)),
        Type::Int => Json::from(value.as_int().unwrap_or(0)),
        Type::Float => value.as_float().and_then(Number::from_f64).map(Json::Number).unwrap_or(Json::Null),
        Type::String => Json::String(
            value
                .as_string()
                .map(|s| s.to_string())
                .transpose()
                .map_err(|e| e.to_string())?
                .unwrap_or_default(),
        ),
        Type::BigInt => return Err("a BigInt cannot be sent in a request (JSON has no BigInt)".to_string()),
        Type::Array => {
            let array = value.as_array().ok_or("an array that is not an array")?;
            let mut out = Vec::with_capacity(array.len());
            for item in array.iter::<Value>() {
                let item = item.map_err(|e| e.to_string())?;
                out.push(to_json(&item, depth + 1)?.unwrap_or(Json::Null));
            }
            Json::Array(out)
        }
        _ => {
            let Some(object) = value.as_object() else { return Ok(None) };
            if let Ok(Some(to_json_fn)) = object.get::<_, Option<Function>>("toJSON") {
                let replaced: Value = to_json_fn
                    .call((rquickjs::function::This(object.clone()),))
                    .map_err(|e| e.to_string())?;
                return to_json(&replaced, depth + 1);
            }
            let mut map = Map::new();
            for prop in object.props::<String, Value>() {
                let (key, item) = prop.map_err(|e| e.to_string())?;
                if let Some(item) = to_json(&item, depth + 1)? {
                    map.insert(key, item);
                }
            }
            Json::Object(map)
        }
    }))
}

/// The JavaScript value of a JSON value.
pub(crate) fn from_json<'js>(ctx: &Ctx<'js>, json: &Json) -> rquickjs::Result<Value<'js>> {
    Ok(match json {
        Json::Null => Value::new_null(ctx.clone()),
        Json::Bool(b) => Value::new_bool(ctx.clone(), *b),
        Json::Number(n) => match n.as_i64() {
            Some(i) if i32::try_from(i).is_ok() => Value::new_int(ctx.clone(), i as i32),
            _ => Value::new_float(ctx.clone(), n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => rquickjs::String::from_str(ctx.clone(), s)?.into_value(),
        Json::Array(items) => {
            let array = Array::new(ctx.clone())?;
            for (i, item) in items.iter().enumerate() {
                array.set(i, from_json(ctx, item)?)?;
            }
            array.into_value()
        }
        Json::Object(map) => {
            let object = Object::new(ctx.clone())?;
            for (key, item) in map {
                object.set(key.as_str(), from_json(ctx, item)?)?;
            }
            object.into_value()
        }
    })
}

/// Resolves a `sendRequests` promise with Caliper's `TxStatus` objects for `statuses`: one
/// object for a single request, an array for a batch, as Caliper's `sendRequests` answers.
/// The objects are built by the prelude (`txStatus`, `resolveOne`): an object literal there
/// costs far less than setting each property from Rust.
pub(crate) fn resolve_statuses<'js>(
    ctx: &Ctx<'js>,
    hot: &Object<'js>,
    resolve: Function<'js>,
    statuses: &[TxStatus],
    single: bool,
) -> rquickjs::Result<()> {
    if single && let [status] = statuses {
        let resolve_one: Function = hot.get("resolveOne")?;
        let mut args = Args::new(ctx.clone(), 11);
        args.push_arg(resolve)?;
        push_status(ctx, &mut args, status)?;
        return resolve_one.call_arg(args);
    }
    let make: Function = hot.get("txStatus")?;
    let array = Array::new(ctx.clone())?;
    for (i, status) in statuses.iter().enumerate() {
        let mut args = Args::new(ctx.clone(), 10);
        push_status(ctx, &mut args, status)?;
        array.set(i, make.call_arg::<Value>(args)?)?;
    }
    resolve.call((array,))
}

/// Epoch microseconds as Caliper's epoch milliseconds (with the microseconds as a fraction).
fn millis(micros: u64) -> f64 {
    micros as f64 / 1000.0
}

/// The fields of a status, in the order of the prelude's `txStatus`.
fn push_status<'js>(ctx: &Ctx<'js>, args: &mut Args<'js>, status: &TxStatus) -> rquickjs::Result<()> {
    args.push_arg(status.id.as_str())?;
    args.push_arg(match status.status {
        TxState::Created => "created",
        TxState::Success => "success",
        TxState::Failed => "failed",
    })?;
    args.push_arg(millis(status.time_create))?;
    args.push_arg(millis(status.time_final))?;
    args.push_arg(status.verified)?;
    match &status.result {
        Some(result) => args.push_arg(from_json(ctx, result)?)?,
        None => args.push_arg(Value::new_null(ctx.clone()))?,
    }
    args.push_arg(status.error.as_deref())?;
    args.push_arg(status.error_class.map(|c| c.as_str()))?;
    args.push_arg(status.time_intended.map(millis))?;
    match &status.custom {
        Some(custom) => {
            let object = Object::new(ctx.clone())?;
            for (key, value) in custom.iter() {
                object.set(key.as_str(), from_json(ctx, value)?)?;
            }
            args.push_arg(object)?;
        }
        None => args.push_arg(Value::new_null(ctx.clone()))?,
    }
    Ok(())
}

/// An error of a call into JavaScript as text: for a thrown `Error`, its name, message and
/// stack (file:line of every frame); for an engine stopped by its deadline, says so first.
pub(crate) fn describe(ctx: &Ctx<'_>, err: rquickjs::Error, state: &State) -> String {
    let text = match err {
        rquickjs::Error::Exception => describe_value(&ctx.catch()),
        other => other.to_string(),
    };
    match state.interrupted_message() {
        Some(stopped) => format!("{stopped}: {text}"),
        None => text,
    }
}

/// A thrown JavaScript value as text (name, message and stack for an error).
pub(crate) fn describe_value(value: &Value<'_>) -> String {
    if let Some(object) = value.as_object()
        && (value.is_error() || object.contains_key("stack").unwrap_or(false))
    {
        let name = object.get::<_, Coerced<String>>("name").map(|c| c.0).unwrap_or_else(|_| "Error".into());
        let message = object.get::<_, Coerced<String>>("message").map(|c| c.0).unwrap_or_default();
        let stack = object.get::<_, Option<String>>("stack").ok().flatten().unwrap_or_default();
        let head = if message.is_empty() { name } else { format!("{name}: {message}") };
        let stack = stack.trim_end();
        return if stack.is_empty() {
            head
        } else if stack.starts_with(&head) {
            stack.to_string()
        } else {
            format!("{head}\n{stack}")
        };
    }
    if let Some(s) = value.as_string().and_then(|s| s.to_string().ok()) {
        return s;
    }
    match value.get::<Coerced<String>>() {
        Ok(c) => c.0,
        Err(_) => format!("a thrown {}", value.type_name()),
    }
}
