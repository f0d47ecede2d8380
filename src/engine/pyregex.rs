//! `REGEX` conditions as Python's `re.match`: its dialect, rewritten for `fancy-regex`, anchored.
//
// `REGEX` conditions are Python `re.match(pattern, subject)`: Python's dialect, anchored at the
// start only. `fancy-regex` already speaks most of that dialect (look-around, backreferences,
// `(?P<name>)`, `(?P=name)`, literal `{`); this module rewrites the few constructs whose meaning
// differs, then anchors the pattern.

use fancy_regex::Regex;

/// A compiled `REGEX` condition value.
#[derive(Clone, Debug)]
pub struct PythonRegex(Regex);

impl PythonRegex {
    /// `None` where Python's `re.compile` would raise (or where the translation cannot follow):
    /// the condition then never matches.
    pub fn compile(pattern: &str) -> Option<PythonRegex> {
        let translated = translate(pattern)?;
        Regex::new(&format!(r"\A(?:{translated})"))
            .ok()
            .map(PythonRegex)
    }

    /// `re.match(pattern, subject) is not None`. A pattern that exhausts the backtracking
    /// budget counts as no match.
    pub fn matches_start(&self, subject: &str) -> bool {
        self.0.is_match(subject).unwrap_or(false)
    }
}

/// Rewrites Python syntax into fancy-regex syntax with the same meaning:
/// * `$` outside `(?m)` matches at the end *or before a final newline*: `(?=\n?\z)`;
/// * `\Z` is the very end: `\z`; `\s` also matches U+001C..U+001F;
/// * `\<`, `\>` are literal characters, not word boundaries; `\a`, `\v`, octal escapes and
///   `\x`/`\u`/`\U` escapes become `\x{..}`; escaped ASCII letters Python does not know are
///   errors (fancy-regex would give `\h`, `\K`, `\p{..}` a meaning);
/// * inside a class, `\b` is backspace, digits are octal, and `[`, `&`, `~` are literal (not
///   nested classes or set operations).
fn translate(pattern: &str) -> Option<String> {
    let multiline = has_global_flag(pattern, 'm');
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut chars = pattern.chars().peekable();
    let mut in_class = false;
    // Position inside the current class: `]` right after `[` or `[^` is literal.
    let mut class_start = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                translate_escape(&mut chars, in_class, &mut out)?;
                class_start = false;
            }
            '[' if !in_class => {
                in_class = true;
                class_start = true;
                out.push('[');
                if chars.peek() == Some(&'^') {
                    chars.next();
                    out.push('^');
                }
            }
            ']' if in_class && class_start => {
                out.push_str(r"\]");
                class_start = false;
            }
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            '[' | '&' | '~' if in_class => {
                out.push('\\');
                out.push(c);
                class_start = false;
            }
            '$' if !in_class && !multiline => out.push_str(r"(?=\n?\z)"),
            c => {
                out.push(c);
                class_start = false;
            }
        }
    }
    if has_global_flag(pattern, 'x') {
        // A trailing `# comment` must not swallow the `)` the caller wraps the pattern in.
        out.push('\n');
    }
    Some(out)
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

/// Translates the escape after a `\`; `None` where Python's `re` raises.
fn translate_escape(chars: &mut Chars<'_>, in_class: bool, out: &mut String) -> Option<()> {
    let escaped = chars.next()?;
    let mut code_point = |value: u32| -> Option<()> {
        char::from_u32(value)?;
        out.push_str(&format!(r"\x{{{value:X}}}"));
        Some(())
    };
    match escaped {
        'x' => return code_point(hex_digits(chars, 2)?),
        'u' => return code_point(hex_digits(chars, 4)?),
        'U' => return code_point(hex_digits(chars, 8)?),
        'a' => return code_point(0x07),
        'v' => return code_point(0x0B),
        'b' if in_class => return code_point(0x08),
        '0'..='7' if in_class || escaped == '0' => {
            return code_point(octal_digits(escaped, chars));
        }
        '1'..='9' => {
            // Three octal digits are a character; otherwise one or two digits are a backref.
            let mut digits = String::from(escaped);
            if let Some(second) = chars.next_if(char::is_ascii_digit) {
                digits.push(second);
                let octal = |c: char| ('0'..='7').contains(&c);
                if octal(escaped)
                    && octal(second)
                    && let Some(third) = chars.next_if(|c| octal(*c))
                {
                    digits.push(third);
                    let value = u32::from_str_radix(&digits, 8).ok()?;
                    return if value <= 0o377 {
                        code_point(value)
                    } else {
                        None
                    };
                }
            }
            out.push('\\');
            out.push_str(&digits);
        }
        's' if in_class => out.push_str(r"\s\x1C-\x1F"),
        's' => out.push_str(r"[\s\x1C-\x1F]"),
        'S' => out.push_str(r"[^\s\x1C-\x1F]"),
        'Z' if !in_class => out.push_str(r"\z"),
        'A' | 'b' | 'B' if !in_class => {
            out.push('\\');
            out.push(escaped);
        }
        'd' | 'D' | 'w' | 'W' | 'f' | 'n' | 'r' | 't' => {
            out.push('\\');
            out.push(escaped);
        }
        c if c.is_ascii_alphanumeric() => return None,
        // Any other escaped character is itself; escape it again only where the target
        // dialect would give it a meaning.
        c if is_meta(c) => {
            out.push('\\');
            out.push(c);
        }
        c => out.push(c),
    }
    Some(())
}

/// Exactly `count` hex digits, as Python's `\x`, `\u` and `\U` require.
fn hex_digits(chars: &mut Chars<'_>, count: usize) -> Option<u32> {
    let mut value = 0u32;
    for _ in 0..count {
        value = value.checked_mul(16)? + chars.next()?.to_digit(16)?;
    }
    Some(value)
}

/// An octal escape: `first` and up to two more octal digits.
fn octal_digits(first: char, chars: &mut Chars<'_>) -> u32 {
    let mut value = first.to_digit(8).unwrap_or(0);
    for _ in 0..2 {
        match chars.next_if(|c| ('0'..='7').contains(c)) {
            Some(digit) => value = value * 8 + digit.to_digit(8).unwrap_or(0),
            None => break,
        }
    }
    value
}

fn is_meta(c: char) -> bool {
    matches!(
        c,
        '\\' | '.'
            | '+'
            | '*'
            | '?'
            | '('
            | ')'
            | '|'
            | '['
            | ']'
            | '{'
            | '}'
            | '^'
            | '$'
            | '#'
            | '&'
            | '-'
            | '~'
            | ' '
    )
}

/// Whether a flag group turns `flag` on. Python only allows global flags at the start, e.g.
/// `(?im)`; a scoped `(?m:...)` is rare enough that treating it as global is the practical
/// reading.
fn has_global_flag(pattern: &str, flag: char) -> bool {
    let mut rest = pattern;
    while let Some(at) = rest.find("(?") {
        let after = &rest[at + 2..];
        let flags: String = after
            .chars()
            .take_while(|c| c.is_ascii_alphabetic() || *c == '-')
            .collect();
        let terminator = after[flags.len()..].chars().next();
        let enables = flags.split('-').next().is_some_and(|on| on.contains(flag));
        if enables && matches!(terminator, Some(')') | Some(':')) {
            return true;
        }
        rest = after;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, subject: &str) -> bool {
        PythonRegex::compile(pattern).is_some_and(|r| r.matches_start(subject))
    }

    #[test]
    fn anchored_at_the_start_only() {
        assert!(matches("[a-z]+", "abc123"));
        assert!(!matches("[a-z]+", "123abc"));
        assert!(matches(r"\d", "1"));
        assert!(matches(r"\d*[13579]$", "12345"));
        assert!(!matches(r"\d*[13579]$", "12344"));
        assert!(matches("b|a", "abc"));
        assert!(!matches("b|c", "abc"));
    }

    #[test]
    fn dollar_allows_a_final_newline_and_backslash_z_does_not() {
        assert!(matches("abc$", "abc\n"));
        assert!(!matches("abc$", "abc\nx"));
        assert!(!matches(r"abc\Z", "abc\n"));
        assert!(matches(r"abc\Z", "abc"));
        assert!(matches("(?m)a$\nb", "a\nb"));
    }

    #[test]
    fn python_syntax_is_understood() {
        assert!(matches("(?P<word>ab)(?P=word)", "abab"));
        assert!(matches("(?!test)[a-z]+", "prod"));
        assert!(!matches("(?!test)[a-z]+", "testing"));
        assert!(matches("(?<=a)b|ab", "ab"));
        assert!(matches("a{", "a{"));
        assert!(matches("x{,2}y", "xxy"));
        assert!(matches(r"\<tag\>", "<tag>"));
        assert!(matches("[[]", "["));
        assert!(matches("[]a]", "]"));
        assert!(matches("[a&&b]", "&"));
        assert!(matches(r"[\b]", "\u{8}"));
        assert!(matches(r"\bword", "word"));
        assert!(matches("(?i)ABC", "abc"));
        assert!(matches("a(?#comment)b", "ab"));
        assert!(matches(r"\-\=\'", "-='"));
        assert!(
            matches(r"\s", "\u{1c}"),
            "Python's \\s includes U+001C..U+001F"
        );
        assert!(!matches(r"\S", "\u{1f}"));
        assert!(matches(r"\101\0", "A\0"), "octal escapes");
        assert!(matches(r"[\101]", "A"));
        assert!(matches(r"\x41\u00e9\U0001F600", "Aé😀"));
        assert!(matches("(?x) a b # trailing comment", "ab"));
    }

    #[test]
    fn escapes_python_does_not_know_are_errors() {
        for pattern in [
            r"\h", r"\K", r"\p{L}", r"\e", r"\G", r"\x4", r"\x{41}", r"[\A]",
        ] {
            assert!(PythonRegex::compile(pattern).is_none(), "{pattern}");
        }
    }

    #[test]
    fn invalid_patterns_never_match() {
        assert!(PythonRegex::compile("(").is_none());
        assert!(PythonRegex::compile("[a-").is_none());
        assert!(PythonRegex::compile("\\").is_none());
        assert!(!matches("*", "*"));
    }
}
