//! Request arguments to calldata and return data to JSON, by the contract's ABI at run time
//! (alloy's dyn-abi): JSON numbers, decimal or hex strings, booleans, addresses, hex bytes,
//! and arrays for arrays and tuples.

use alloy::dyn_abi::{DynSolType, DynSolValue, FunctionExt, JsonAbiExt, Specifier};
use alloy::json_abi::Function;
use alloy::primitives::{I256, U256};
use serde_json::Value;

use crate::json::{kind, show};

/// Encodes `args` for `function` (selector included). The error names the argument that does
/// not fit: its position, its name and type in the ABI, and the value given.
pub(crate) fn encode_call(function: &Function, args: &[Value]) -> Result<Vec<u8>, String> {
    if args.len() != function.inputs.len() {
        return Err(format!(
            "{} takes {} argument(s), got {}",
            function.signature(),
            function.inputs.len(),
            args.len()
        ));
    }
    let mut values = Vec::with_capacity(args.len());
    for (i, (param, arg)) in function.inputs.iter().zip(args).enumerate() {
        let ty = param.resolve().map_err(|e| format!("{}: argument {}: {e}", function.signature(), i + 1))?;
        let value = coerce(&ty, arg).map_err(|why| {
            let name = if param.name.is_empty() { String::new() } else { format!(" \"{}\"", param.name) };
            format!(
                "argument {}{name} of {}: expected {}, got {} ({why})",
                i + 1,
                function.signature(),
                ty.sol_type_name(),
                show(arg)
            )
        })?;
        values.push(value);
    }
    function.abi_encode_input(&values).map_err(|e| format!("{}: {e}", function.signature()))
}

/// One JSON value as a value of `ty`.
fn coerce(ty: &DynSolType, value: &Value) -> Result<DynSolValue, String> {
    match (ty, value) {
        (DynSolType::Array(inner), Value::Array(items)) => {
            Ok(DynSolValue::Array(items.iter().map(|v| coerce(inner, v)).collect::<Result<_, _>>()?))
        }
        (DynSolType::FixedArray(inner, n), Value::Array(items)) => {
            if items.len() != *n {
                return Err(format!("{} items instead of {n}", items.len()));
            }
            Ok(DynSolValue::FixedArray(items.iter().map(|v| coerce(inner, v)).collect::<Result<_, _>>()?))
        }
        (DynSolType::Tuple(types), Value::Array(items)) => {
            if items.len() != types.len() {
                return Err(format!("{} items instead of {}", items.len(), types.len()));
            }
            Ok(DynSolValue::Tuple(
                types.iter().zip(items).map(|(t, v)| coerce(t, v)).collect::<Result<_, _>>()?,
            ))
        }
        (DynSolType::Array(_) | DynSolType::FixedArray(..) | DynSolType::Tuple(_), other) => {
            Err(format!("an array is needed, not {}", kind(other)))
        }
        (DynSolType::String, Value::String(s)) => Ok(DynSolValue::String(s.clone())),
        (DynSolType::String, other) => Err(format!("a string is needed, not {}", kind(other))),
        (DynSolType::Bool, Value::Bool(b)) => Ok(DynSolValue::Bool(*b)),
        (DynSolType::Int(_) | DynSolType::Uint(_), Value::Number(n)) => {
            if n.is_f64() {
                return Err("not an integer".into());
            }
            ty.coerce_str(&n.to_string()).map_err(|e| e.to_string())
        }
        (_, Value::String(s)) => ty.coerce_str(s).map_err(|e| e.to_string()),
        (_, other) => Err(format!("{} does not convert", kind(other))),
    }
}

/// The values `function` returned, as JSON: one value as itself, several as an array.
pub(crate) fn decode_output(function: &Function, data: &[u8]) -> Result<Value, String> {
    let values = function
        .abi_decode_output(data)
        .map_err(|e| format!("cannot decode the return value of {}: {e}", function.signature()))?;
    Ok(match values.len() {
        0 => Value::Null,
        1 => to_json(&values[0]),
        _ => Value::Array(values.iter().map(to_json).collect()),
    })
}

/// A decoded value as JSON: integers that fit 64 bits as numbers, larger ones as decimal
/// strings (JSON numbers lose precision past 2^53 in JavaScript readers anyway, so strings are
/// what web3 gave too), bytes as 0x hex, addresses checksummed.
fn to_json(value: &DynSolValue) -> Value {
    match value {
        DynSolValue::Bool(b) => Value::Bool(*b),
        DynSolValue::Int(i, _) => int_json(*i),
        DynSolValue::Uint(u, _) => uint_json(*u),
        DynSolValue::Address(a) => Value::String(a.to_checksum(None)),
        DynSolValue::FixedBytes(word, size) => {
            Value::String(format!("0x{}", alloy::primitives::hex::encode(&word[..*size])))
        }
        DynSolValue::Bytes(b) => Value::String(format!("0x{}", alloy::primitives::hex::encode(b))),
        DynSolValue::String(s) => Value::String(s.clone()),
        DynSolValue::Array(items) | DynSolValue::FixedArray(items) | DynSolValue::Tuple(items) => {
            Value::Array(items.iter().map(to_json).collect())
        }
        DynSolValue::Function(f) => {
            Value::String(format!("0x{}", alloy::primitives::hex::encode(f.as_slice())))
        }
    }
}

fn uint_json(u: U256) -> Value {
    match u64::try_from(u) {
        Ok(n) => Value::from(n),
        Err(_) => Value::String(u.to_string()),
    }
}

fn int_json(i: I256) -> Value {
    match i64::try_from(i) {
        Ok(n) => Value::from(n),
        Err(_) => Value::String(i.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use alloy::json_abi::JsonAbi;
    use serde_json::json;

    use super::*;

    fn ledger() -> JsonAbi {
        let artifact: Value = serde_json::from_str(include_str!("../contracts/ledger.json")).unwrap();
        serde_json::from_value(artifact["abi"].clone()).unwrap()
    }

    #[test]
    fn arguments_encode_by_the_abi() {
        let abi = ledger();
        let open = &abi.function("open").unwrap()[0];
        let data = encode_call(open, &[json!("alice"), json!(10000)]).unwrap();
        assert_eq!(&data[..4], open.selector().as_slice());
        // A decimal string and a JSON number give the same calldata.
        assert_eq!(data, encode_call(open, &[json!("alice"), json!("10000")]).unwrap());
        assert!(encode_call(open, &[json!("alice"), json!(-5)]).is_ok());
    }

    #[test]
    fn an_argument_that_does_not_fit_is_named() {
        let abi = ledger();
        let open = &abi.function("open").unwrap()[0];
        let err = encode_call(open, &[json!("alice"), json!("lots")]).unwrap_err();
        assert!(
            err.contains("argument 2 \"amount\" of open(string,int256): expected int256, got \"lots\""),
            "{err}"
        );
        let err = encode_call(open, &[json!(7), json!(1)]).unwrap_err();
        assert!(err.contains("argument 1 \"account\"") && err.contains("a string is needed"), "{err}");
        let err = encode_call(open, &[json!(1.5)]).unwrap_err();
        assert!(err.contains("takes 2 argument(s), got 1"), "{err}");
        let err = encode_call(open, &[json!("a"), json!(1.5)]).unwrap_err();
        assert!(err.contains("not an integer"), "{err}");
    }

    #[test]
    fn return_values_decode_to_json() {
        let abi = ledger();
        let query = &abi.function("query").unwrap()[0];
        let word = DynSolValue::Int(I256::try_from(-42).unwrap(), 256).abi_encode();
        assert_eq!(decode_output(query, &word).unwrap(), json!(-42));
        assert!(decode_output(query, &[1, 2]).unwrap_err().contains("cannot decode"));
        assert_eq!(uint_json(U256::MAX), json!(U256::MAX.to_string()));
    }
}
