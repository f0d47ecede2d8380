//! Python's numbers, as far as the engine needs them: big integers, `int()`, `float()`, comparison.

use std::cmp::Ordering;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A Python `int`. Trait values such as `"12345678901234567890123"` are ints in Python, so the
/// engine keeps integers that overflow `i128` as their decimal digits rather than failing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PyInt {
    Small(i128),
    /// Magnitude beyond `i128`: decimal digits without leading zeros.
    Big {
        negative: bool,
        digits: Box<str>,
    },
}

impl PyInt {
    /// `digits` must be ASCII decimal digits (at least one); leading zeros are allowed.
    fn from_digits(negative: bool, digits: &str) -> PyInt {
        let digits = digits.trim_start_matches('0');
        if digits.is_empty() {
            return PyInt::Small(0);
        }
        match digits.parse::<i128>() {
            Ok(n) => PyInt::Small(if negative { -n } else { n }),
            Err(_) => PyInt::Big {
                negative,
                digits: digits.into(),
            },
        }
    }

    /// Parses text already known to match `-?[0-9]+`.
    pub(crate) fn from_decimal(text: &str) -> PyInt {
        match text.strip_prefix('-') {
            Some(digits) => PyInt::from_digits(true, digits),
            None => PyInt::from_digits(false, text),
        }
    }

    /// Python's `float(int)`: correctly rounded; `None` where Python raises `OverflowError`.
    pub(crate) fn to_f64(&self) -> Option<f64> {
        let value = match self {
            PyInt::Small(n) => *n as f64,
            PyInt::Big { .. } => self.to_string().parse::<f64>().ok()?,
        };
        value.is_finite().then_some(value)
    }

    fn sign_and_magnitude(&self) -> (bool, String) {
        match self {
            PyInt::Small(n) => (*n < 0, n.unsigned_abs().to_string()),
            PyInt::Big { negative, digits } => (*negative, digits.to_string()),
        }
    }

    /// Python's `int < float` and friends compare exactly; `None` when `other` is NaN.
    fn cmp_f64(&self, other: f64) -> Option<Ordering> {
        if other.is_nan() {
            return None;
        }
        let PyInt::Small(n) = self else {
            // Beyond 2^127 the float nearest to the int decides; only absurd values tie.
            return self.to_f64().unwrap_or(f64::INFINITY).partial_cmp(&other);
        };
        let rounded = *n as f64;
        // Rounding to f64 is monotonic, so a strict difference after rounding is real.
        match rounded.partial_cmp(&other) {
            Some(Ordering::Equal) => {}
            ordering => return ordering,
        }
        // `other` is integral here; 2^127 itself is the only value that does not fit an i128.
        if other >= 170_141_183_460_469_231_731_687_303_715_884_105_728.0 {
            return Some(Ordering::Less);
        }
        Some(n.cmp(&(other as i128)))
    }
}

impl Ord for PyInt {
    fn cmp(&self, other: &Self) -> Ordering {
        if let (PyInt::Small(a), PyInt::Small(b)) = (self, other) {
            return a.cmp(b);
        }
        let (a_negative, a) = self.sign_and_magnitude();
        let (b_negative, b) = other.sign_and_magnitude();
        match (a_negative, b_negative) {
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (negative, _) => {
                let magnitude = a.len().cmp(&b.len()).then_with(|| a.cmp(&b));
                if negative {
                    magnitude.reverse()
                } else {
                    magnitude
                }
            }
        }
    }
}

impl PartialOrd for PyInt {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for PyInt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PyInt::Small(n) => write!(f, "{n}"),
            PyInt::Big { negative, digits } => {
                write!(f, "{}{digits}", if *negative { "-" } else { "" })
            }
        }
    }
}

impl From<i64> for PyInt {
    fn from(n: i64) -> Self {
        PyInt::Small(n.into())
    }
}

impl From<u128> for PyInt {
    fn from(n: u128) -> Self {
        match i128::try_from(n) {
            Ok(small) => PyInt::Small(small),
            Err(_) => PyInt::Big {
                negative: false,
                digits: n.to_string().into(),
            },
        }
    }
}

/// The whitespace `int()` and `float()` strip: Unicode White_Space (unlike `str.isspace`,
/// without U+001C..U+001F, checked against CPython 3.11).
fn is_python_space(c: char) -> bool {
    c.is_whitespace()
}

/// The zero of every run of Unicode decimal digits (category Nd) beyond ASCII, as of Unicode
/// 15.0 (CPython 3.12); each run holds the digits 0 to 9 in order.
const UNICODE_ZEROS: [u32; 67] = [
    0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66, 0xDE6,
    0xE50, 0xED0, 0xF20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50,
    0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10,
    0x104A0, 0x10D30, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650,
    0x116C0, 0x11730, 0x118E0, 0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x11F50, 0x16A60, 0x16AC0,
    0x16B50, 0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E4F0, 0x1E950,
    0x1FBF0,
];

/// Python's number parsers read any Unicode decimal digit (`int("١٢")` is 12): the text with
/// those digits made ASCII.
fn ascii_digits(text: &str) -> String {
    text.chars()
        .map(|c| {
            let code = c as u32;
            let zero = UNICODE_ZEROS
                .iter()
                .rev()
                .find(|zero| **zero <= code)
                .filter(|zero| code - **zero < 10);
            match zero {
                Some(zero) => char::from(b'0' + (code - zero) as u8),
                None => c,
            }
        })
        .collect()
}

/// Removes `_` digit separators the way Python's number parsers accept them: each one must sit
/// between two ASCII digits. `None` when an underscore is misplaced.
fn without_separators(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        if c == '_' {
            let before = i.checked_sub(1).and_then(|j| bytes.get(j));
            let after = bytes.get(i + 1);
            if !(before.is_some_and(u8::is_ascii_digit) && after.is_some_and(u8::is_ascii_digit)) {
                return None;
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// Python's `int(text)` in base 10: surrounding whitespace, an optional sign and `_` separators
/// are accepted, and so are non-ASCII decimal digits; anything else (`"4.0"`, `"1e3"`, `""`) is
/// `None`.
pub(crate) fn parse_int(text: &str) -> Option<PyInt> {
    let text = ascii_digits(text);
    let text = text.trim_matches(is_python_space);
    let (negative, rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let digits = without_separators(rest)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(PyInt::from_digits(negative, &digits))
}

/// Python's `float(text)`: whitespace, `_` separators, exponents, `inf`, `infinity` and `nan`
/// (any case, signed) are accepted.
pub(crate) fn parse_float(text: &str) -> Option<f64> {
    let text = ascii_digits(text);
    let text = text.trim_matches(is_python_space);
    // With whitespace and separators gone, Rust's grammar is Python's (both take `.5`, `5.`,
    // `1E+3` and signed `inf`/`nan` in any case), and both round correctly.
    without_separators(text)?.parse::<f64>().ok()
}

/// A JSON number that Python sees as an `int` or a `float`: variant weights and priorities.
/// Keeping the distinction matters: the weight `50` prints as `50`, the weight `50.0` as `50.0`,
/// and a priority may be a 128-bit UUID.
#[derive(Clone, Debug, PartialEq)]
pub enum Number {
    Int(PyInt),
    Float(f64),
}

impl Number {
    /// The value as Python's arithmetic with a float would see it.
    pub fn as_f64(&self) -> f64 {
        match self {
            Number::Int(n) => n.to_f64().unwrap_or(f64::INFINITY),
            Number::Float(f) => *f,
        }
    }

    /// Python's ordering of two numbers; NaN compares as equal to everything (it never wins).
    pub fn py_cmp(&self, other: &Number) -> Ordering {
        let ordering = match (self, other) {
            (Number::Int(a), Number::Int(b)) => Some(a.cmp(b)),
            (Number::Int(a), Number::Float(b)) => a.cmp_f64(*b),
            (Number::Float(a), Number::Int(b)) => b.cmp_f64(*a).map(Ordering::reverse),
            (Number::Float(a), Number::Float(b)) => a.partial_cmp(b),
        };
        ordering.unwrap_or(Ordering::Equal)
    }
}

impl From<i64> for Number {
    fn from(n: i64) -> Self {
        Number::Int(n.into())
    }
}

impl From<f64> for Number {
    fn from(f: f64) -> Self {
        Number::Float(f)
    }
}

impl Serialize for Number {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Number::Int(PyInt::Small(n)) => match (i64::try_from(*n), u64::try_from(*n)) {
                (Ok(small), _) => serializer.serialize_i64(small),
                (_, Ok(unsigned)) => serializer.serialize_u64(unsigned),
                _ => serializer.serialize_i128(*n),
            },
            Number::Int(big) => serializer.serialize_f64(big.to_f64().unwrap_or(f64::INFINITY)),
            Number::Float(f) => serializer.serialize_f64(*f),
        }
    }
}

impl Number {
    /// A JSON number as Python's `json.loads` reads it: an integer literal of any size is an
    /// int, anything else a correctly rounded float.
    pub(crate) fn from_json(n: &serde_json::Number) -> Number {
        if let Some(i) = n.as_i64() {
            return Number::Int(PyInt::Small(i.into()));
        }
        if let Some(u) = n.as_u64() {
            return Number::Int(PyInt::Small(u.into()));
        }
        let text = n.to_string();
        if is_integer_literal(&text) {
            return Number::Int(PyInt::from_decimal(&text));
        }
        Number::Float(text.parse().unwrap_or(f64::NAN))
    }
}

/// `-?[0-9]+`: how JSON writes an int (serde_json keeps the literal of a number it cannot hold
/// exactly, which is how integers beyond 64 bits reach the engine whole).
pub(crate) fn is_integer_literal(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        serde_json::Number::deserialize(deserializer).map(|n| Number::from_json(&n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_parsing_follows_python() {
        assert_eq!(parse_int("42"), Some(PyInt::Small(42)));
        assert_eq!(parse_int("  -7\n"), Some(PyInt::Small(-7)));
        assert_eq!(parse_int("+5"), Some(PyInt::Small(5)));
        assert_eq!(parse_int("007"), Some(PyInt::Small(7)));
        assert_eq!(parse_int("1_0"), Some(PyInt::Small(10)));
        assert_eq!(parse_int("١٢"), Some(PyInt::Small(12)));
        assert_eq!(parse_int("\u{1D7CF}\u{FF10}"), Some(PyInt::Small(10)));
        for rejected in ["4.0", "1e3", "", " ", "-", "_1", "1_", "1__0", "0x10"] {
            assert_eq!(parse_int(rejected), None, "{rejected:?}");
        }
    }

    #[test]
    fn huge_ints_keep_their_digits_and_order() {
        let big = parse_int("123456789012345678901234567890123456789012").unwrap();
        assert!(matches!(big, PyInt::Big { .. }));
        assert_eq!(
            big.to_string(),
            "123456789012345678901234567890123456789012"
        );
        let negative = parse_int("-123456789012345678901234567890123456789012").unwrap();
        assert!(negative < PyInt::Small(i128::MIN));
        assert!(big > PyInt::Small(i128::MAX));
        assert!(parse_int("123456789012345678901234567890123456789013").unwrap() > big);
        assert_eq!(parse_int(&"9".repeat(400)).unwrap().to_f64(), None);
    }

    #[test]
    fn float_parsing_follows_python() {
        assert_eq!(parse_float("4"), Some(4.0));
        assert_eq!(parse_float(" 1.5 "), Some(1.5));
        assert_eq!(parse_float("1e3"), Some(1000.0));
        assert_eq!(parse_float("1_000.5"), Some(1000.5));
        assert_eq!(parse_float(".5"), Some(0.5));
        assert_eq!(parse_float("٣.٥"), Some(3.5));
        assert_eq!(parse_float("5."), Some(5.0));
        assert_eq!(parse_float("-Infinity"), Some(f64::NEG_INFINITY));
        assert!(parse_float("nan").is_some_and(f64::is_nan));
        assert!(parse_float("-NaN").is_some_and(f64::is_nan));
        for rejected in ["", ".", "1 0", "abc", "1_", "0x1p3", "1e"] {
            assert_eq!(parse_float(rejected), None, "{rejected:?}");
        }
    }

    #[test]
    fn numbers_compare_like_python() {
        let int = |n: i64| Number::from(n);
        assert_eq!(int(1).py_cmp(&Number::Float(1.5)), Ordering::Less);
        assert_eq!(int(2).py_cmp(&Number::Float(2.0)), Ordering::Equal);
        assert_eq!(
            Number::Float(f64::NEG_INFINITY).py_cmp(&int(-1000)),
            Ordering::Less
        );
        // 2^53 + 1 is not a float; Python still orders it above 2^53.
        assert_eq!(
            int(9_007_199_254_740_993).py_cmp(&Number::Float(9_007_199_254_740_992.0)),
            Ordering::Greater
        );
        let uuid = Number::Int(PyInt::from(u128::MAX));
        assert_eq!(
            uuid.py_cmp(&Number::Int(PyInt::from(u128::MAX - 1))),
            Ordering::Greater
        );
    }

    #[test]
    fn numbers_keep_their_json_type() {
        let n: Number = serde_json::from_str("50").unwrap();
        assert_eq!(n, Number::from(50));
        let f: Number = serde_json::from_str("50.0").unwrap();
        assert_eq!(f, Number::Float(50.0));
        assert_eq!(serde_json::to_string(&n).unwrap(), "50");
        assert_eq!(serde_json::to_string(&f).unwrap(), "50.0");
    }
}
