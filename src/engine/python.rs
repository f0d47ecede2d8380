//! Python's `str()` of the values the engine meets, exactly: `True`, `None`, `1.0`, `1e+16`.
//
// Python's `str()` of the values the engine meets. Hashed ids, regex subjects, `IN` members
// and the `SPLIT; weight=` reason are all built from these forms, so they must be exact:
// `True`, `None`, `1.0`, `1e+16`, `1.5e-05`.

use serde_json::Value;

use super::number::Number;

/// Python's `repr(float)` (which `str(float)` equals): the shortest digits that round-trip, in
/// fixed notation when the decimal exponent is in [-4, 16), scientific otherwise.
pub fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf" } else { "-inf" }.to_owned();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0.0" } else { "0.0" }.to_owned();
    }
    // `{:e}` gives the shortest round-trip digits, e.g. `-1.2345e2`, `1e16`, `5e-324`.
    let scientific = format!("{:e}", f.abs());
    let (mantissa, exponent) = scientific
        .split_once('e')
        .unwrap_or((scientific.as_str(), "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if f < 0.0 { "-" } else { "" };
    if (-4..16).contains(&exponent) {
        format!("{sign}{}", fixed_notation(&digits, exponent))
    } else {
        let (first, rest) = digits.split_at(1);
        let fraction = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let exponent_sign = if exponent < 0 { '-' } else { '+' };
        format!(
            "{sign}{first}{fraction}e{exponent_sign}{:02}",
            exponent.unsigned_abs()
        )
    }
}

/// `digits` × 10^(exponent - len + 1), written with a point and at least one fractional digit.
fn fixed_notation(digits: &str, exponent: i32) -> String {
    if exponent < 0 {
        let zeros = "0".repeat(exponent.unsigned_abs() as usize - 1);
        return format!("0.{zeros}{digits}");
    }
    let whole_len = exponent as usize + 1;
    if digits.len() > whole_len {
        let (whole, fraction) = digits.split_at(whole_len);
        format!("{whole}.{fraction}")
    } else {
        format!("{digits}{}.0", "0".repeat(whole_len - digits.len()))
    }
}

/// Python's `str()` of a JSON number: ints in decimal, floats by `repr`.
pub fn number_str(n: &serde_json::Number) -> String {
    py_number_str(&Number::from_json(n))
}

/// Python's `str()` of a weight or priority.
pub fn py_number_str(n: &Number) -> String {
    match n {
        Number::Int(i) => i.to_string(),
        Number::Float(f) => float_repr(*f),
    }
}

/// Python's `str()` of a JSON value: a string is itself, everything else is its `repr`.
pub fn value_str(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => {
            let mut out = String::new();
            write_repr(other, &mut out);
            out
        }
    }
}

/// Python's `repr()` of a JSON value as `json.loads` would have built it (dicts keep order).
fn write_repr(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("None"),
        Value::Bool(true) => out.push_str("True"),
        Value::Bool(false) => out.push_str("False"),
        Value::Number(n) => out.push_str(&number_str(n)),
        Value::String(s) => write_string_repr(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_repr(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_string_repr(key, out);
                out.push_str(": ");
                write_repr(item, out);
            }
            out.push('}');
        }
    }
}

/// Python's `repr(str)`: single quotes unless the text holds a `'` and no `"`.
fn write_string_repr(s: &str, out: &mut String) {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push(quote);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn floats_print_as_python_repr() {
        let cases = [
            (1.0, "1.0"),
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.5, "1.5"),
            (123.5, "123.5"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5e-5, "1.5e-05"),
            (1e16, "1e+16"),
            (1.5e16, "1.5e+16"),
            (9999999999999998.0, "9999999999999998.0"),
            (1e15, "1000000000000000.0"),
            (12.34, "12.34"),
            (33.3, "33.3"),
            (0.1 + 0.2, "0.30000000000000004"),
            (-2.5e-7, "-2.5e-07"),
            (1e100, "1e+100"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (f64::NAN, "nan"),
        ];
        for (f, expected) in cases {
            assert_eq!(float_repr(f), expected, "{f:e}");
        }
    }

    #[test]
    fn values_print_as_python_str() {
        assert_eq!(value_str(&json!(null)), "None");
        assert_eq!(value_str(&json!(true)), "True");
        assert_eq!(value_str(&json!(false)), "False");
        assert_eq!(value_str(&json!(1)), "1");
        assert_eq!(value_str(&json!(-12)), "-12");
        assert_eq!(value_str(&json!(2.0)), "2.0");
        assert_eq!(value_str(&json!("a b")), "a b");
        assert_eq!(
            value_str(&json!([1, "a", null, true, 1.5])),
            "[1, 'a', None, True, 1.5]"
        );
        assert_eq!(
            value_str(&json!({"k": "it's", "n": {"x": []}})),
            "{'k': \"it's\", 'n': {'x': []}}"
        );
        assert_eq!(value_str(&json!(["a\nb", "q'\""])), r#"['a\nb', 'q\'"']"#);
    }

    #[test]
    fn weights_print_as_python_str() {
        assert_eq!(py_number_str(&Number::from(50)), "50");
        assert_eq!(py_number_str(&Number::Float(50.0)), "50.0");
        assert_eq!(py_number_str(&Number::Float(33.3)), "33.3");
    }
}
