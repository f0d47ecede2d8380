//! RFC 9535 JSONPath over the evaluation context, for conditions whose property starts with `$.`.
//
// Conditions whose property starts with `$.` query the whole evaluation context with an
// RFC 9535 JSONPath and test the first node found. This is the parser and the query for the
// part of RFC 9535 that makes sense over a context: name, wildcard, index and slice selectors,
// child and descendant segments. Filter selectors (`?`) are not supported; a path using one
// reads as null, as an invalid path does.

/// A parsed JSONPath query: its segments, in order.
#[derive(Clone, Debug, PartialEq)]
pub struct JsonPath {
    pub segments: Vec<Segment>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Segment {
    pub descendant: bool,
    pub selectors: Vec<Selector>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Selector {
    Name(String),
    Wildcard,
    Index(i64),
    Slice {
        start: Option<i64>,
        end: Option<i64>,
        step: Option<i64>,
    },
}

impl JsonPath {
    /// Parses `text`; `None` when it is not a valid query (or uses a filter selector).
    pub fn parse(text: &str) -> Option<JsonPath> {
        let mut parser = Parser {
            chars: text.chars().collect(),
            at: 0,
        };
        parser.expect('$')?;
        let mut segments = Vec::new();
        while parser.at < parser.chars.len() {
            // Blanks may separate segments, but may not end the query.
            parser.skip_blanks();
            segments.push(parser.segment()?);
        }
        Some(JsonPath { segments })
    }

    /// The path when it is a chain of plain names (`$.identity.traits.age`): the common case,
    /// which needs no node lists to evaluate.
    pub fn plain_names(&self) -> Option<Vec<&str>> {
        self.segments
            .iter()
            .map(|segment| match segment.selectors.as_slice() {
                [Selector::Name(name)] if !segment.descendant => Some(name.as_str()),
                _ => None,
            })
            .collect()
    }
}

/// Largest integer an index or slice bound may be (I-JSON's exact range).
const MAX_INT: i64 = (1 << 53) - 1;

struct Parser {
    chars: Vec<char>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.at += 1;
        Some(c)
    }

    fn expect(&mut self, c: char) -> Option<()> {
        (self.bump()? == c).then_some(())
    }

    fn skip_blanks(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t' | '\n' | '\r')) {
            self.at += 1;
        }
    }

    fn segment(&mut self) -> Option<Segment> {
        match self.bump()? {
            '[' => Some(Segment {
                descendant: false,
                selectors: self.bracketed()?,
            }),
            '.' => {
                let descendant = self.peek() == Some('.');
                if descendant {
                    self.at += 1;
                    if self.peek() == Some('[') {
                        self.at += 1;
                        return Some(Segment {
                            descendant,
                            selectors: self.bracketed()?,
                        });
                    }
                }
                let selector = if self.peek() == Some('*') {
                    self.at += 1;
                    Selector::Wildcard
                } else {
                    Selector::Name(self.member_name()?)
                };
                Some(Segment {
                    descendant,
                    selectors: vec![selector],
                })
            }
            _ => None,
        }
    }

    fn member_name(&mut self) -> Option<String> {
        let first = |c: char| c.is_ascii_alphabetic() || c == '_' || c as u32 >= 0x80;
        let mut name = String::new();
        if !self.peek().is_some_and(first) {
            return None;
        }
        while let Some(c) = self.peek().filter(|c| first(*c) || c.is_ascii_digit()) {
            name.push(c);
            self.at += 1;
        }
        Some(name)
    }

    /// After `[`: selectors separated by commas, up to `]`.
    fn bracketed(&mut self) -> Option<Vec<Selector>> {
        let mut selectors = Vec::new();
        loop {
            self.skip_blanks();
            selectors.push(self.selector()?);
            self.skip_blanks();
            match self.bump()? {
                ',' => continue,
                ']' => return Some(selectors),
                _ => return None,
            }
        }
    }

    fn selector(&mut self) -> Option<Selector> {
        match self.peek()? {
            '\'' | '"' => Some(Selector::Name(self.string_literal()?)),
            '*' => {
                self.at += 1;
                Some(Selector::Wildcard)
            }
            _ => self.index_or_slice(),
        }
    }

    fn index_or_slice(&mut self) -> Option<Selector> {
        let start = self.integer();
        self.skip_blanks();
        if self.peek() != Some(':') {
            return start.map(Selector::Index);
        }
        self.at += 1;
        self.skip_blanks();
        let end = self.integer();
        self.skip_blanks();
        let mut step = None;
        if self.peek() == Some(':') {
            self.at += 1;
            self.skip_blanks();
            step = self.integer();
        }
        Some(Selector::Slice { start, end, step })
    }

    /// `0` or `-?[1-9][0-9]*` within I-JSON range; leaves the position alone when absent.
    fn integer(&mut self) -> Option<i64> {
        let begin = self.at;
        let negative = self.peek() == Some('-');
        if negative {
            self.at += 1;
        }
        let digits_begin = self.at;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.at += 1;
        }
        let digits: String = self.chars[digits_begin..self.at].iter().collect();
        let valid = !digits.is_empty()
            && (digits == "0" && !negative || !digits.starts_with('0'))
            && digits.len() <= 16;
        let value = digits
            .parse::<i64>()
            .ok()
            .filter(|v| valid && *v <= MAX_INT);
        if value.is_none() {
            self.at = begin;
        }
        value.map(|v| if negative { -v } else { v })
    }

    fn string_literal(&mut self) -> Option<String> {
        let quote = self.bump()?;
        let mut out = String::new();
        loop {
            match self.bump()? {
                c if c == quote => return Some(out),
                '\\' => out.push(self.escape(quote)?),
                c if (c as u32) < 0x20 => return None,
                c => out.push(c),
            }
        }
    }

    fn escape(&mut self, quote: char) -> Option<char> {
        Some(match self.bump()? {
            'b' => '\u{8}',
            'f' => '\u{c}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            '/' => '/',
            '\\' => '\\',
            c if c == quote => c,
            'u' => {
                let high = self.hex4()?;
                if (0xD800..0xDC00).contains(&high) {
                    self.expect('\\')?;
                    self.expect('u')?;
                    let low = self.hex4()?;
                    if !(0xDC00..0xE000).contains(&low) {
                        return None;
                    }
                    char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))?
                } else {
                    char::from_u32(high)?
                }
            }
            _ => return None,
        })
    }

    fn hex4(&mut self) -> Option<u32> {
        let mut value = 0;
        for _ in 0..4 {
            value = value * 16 + self.bump()?.to_digit(16)?;
        }
        Some(value)
    }
}

/// Indices an index or slice selector picks from an array of `len` elements, in order.
pub fn array_positions(selector: &Selector, len: usize) -> Vec<usize> {
    let len = len as i64;
    let normalize = |i: i64| if i < 0 { len + i } else { i };
    match selector {
        Selector::Index(i) => {
            let i = normalize(*i);
            if (0..len).contains(&i) {
                vec![i as usize]
            } else {
                Vec::new()
            }
        }
        Selector::Slice { start, end, step } => {
            let step = step.unwrap_or(1);
            if step == 0 {
                return Vec::new();
            }
            let (lower, upper);
            if step > 0 {
                lower = normalize(start.unwrap_or(0)).clamp(0, len);
                upper = normalize(end.unwrap_or(len)).clamp(0, len);
                (lower..upper)
                    .step_by(step as usize)
                    .map(|i| i as usize)
                    .collect()
            } else {
                upper = normalize(start.unwrap_or(len - 1)).clamp(-1, len - 1);
                lower = normalize(end.unwrap_or(-len - 1)).clamp(-1, len - 1);
                let mut out = Vec::new();
                let mut i = upper;
                while i > lower {
                    out.push(i as usize);
                    i += step;
                }
                out
            }
        }
        Selector::Name(_) | Selector::Wildcard => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Option<Vec<String>> {
        JsonPath::parse(text)?
            .plain_names()
            .map(|names| names.into_iter().map(str::to_owned).collect())
    }

    #[test]
    fn dotted_and_bracketed_names() {
        assert_eq!(
            names("$.identity.identifier").unwrap(),
            ["identity", "identifier"]
        );
        assert_eq!(
            names("$.identity.traits.サイズ").unwrap(),
            ["identity", "traits", "サイズ"]
        );
        assert_eq!(
            names("$.identity.traits['[$the.size$]']").unwrap(),
            ["identity", "traits", "[$the.size$]"]
        );
        assert_eq!(names(r#"$["a b"]['it\'s']"#).unwrap(), ["a b", "it's"]);
        assert_eq!(names(r"$['\u00e9\ud83d\ude00']").unwrap(), ["é😀"]);
        assert_eq!(names("$ .a [ 'b' ]").unwrap(), ["a", "b"]);
    }

    #[test]
    fn invalid_queries_do_not_parse() {
        for text in [
            "$.  i am not\" a valid jsonpath",
            "$.",
            "$.1a",
            "$[01]",
            "$[-0]",
            "$['unterminated",
            "$[?@.a]",
            "identity",
            "$.a.",
            "$..",
            "$[9007199254740992]",
            "$.a ",
        ] {
            assert_eq!(JsonPath::parse(text), None, "{text}");
        }
    }

    #[test]
    fn other_selectors() {
        let path = JsonPath::parse("$..a[*][0, -1]['x'][1:3][::-1]").unwrap();
        assert!(path.segments[0].descendant);
        assert_eq!(path.segments[1].selectors, [Selector::Wildcard]);
        assert_eq!(
            path.segments[2].selectors,
            [Selector::Index(0), Selector::Index(-1)]
        );
        assert_eq!(path.plain_names(), None);
    }

    #[test]
    fn slices_follow_rfc_9535() {
        let slice = |start, end, step| Selector::Slice { start, end, step };
        assert_eq!(array_positions(&slice(Some(1), Some(3), None), 5), [1, 2]);
        assert_eq!(array_positions(&slice(None, None, Some(2)), 5), [0, 2, 4]);
        assert_eq!(array_positions(&slice(None, None, Some(-1)), 3), [2, 1, 0]);
        assert_eq!(array_positions(&slice(Some(-2), None, None), 3), [1, 2]);
        assert_eq!(array_positions(&Selector::Index(-1), 3), [2]);
        assert_eq!(array_positions(&Selector::Index(3), 3), Vec::<usize>::new());
    }
}
