//! Query strings and paths are text: a parameter that is not UTF-8 or holds a NUL gets a 400.
//
// Query strings and paths are text: a parameter that is not UTF-8 once percent-decoded, or that
// holds a NUL character, is refused with a 400 naming it, before any handler sees it. (Decoded
// lossily, `%FF` and `%FE` would be the same identifier; PostgreSQL cannot store a NUL.)

use poem::Response;

use crate::service::ServiceError;

const NOT_UTF8: &str = "Must be valid UTF-8 text.";
const NULL_CHARACTERS: &str = "Null characters are not allowed.";

/// The 400 (query) or 404 (path) answer for a request whose query or path is not clean text.
pub fn check(path: &str, query: Option<&str>) -> Option<Response> {
    if !is_clean(&percent_decode(path, false)) {
        return Some(super::error::response(ServiceError::NotFound(None)));
    }
    let query = query?;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let name_bytes = percent_decode(name, true);
        let value_bytes = percent_decode(value, true);
        let field = String::from_utf8_lossy(&name_bytes).replace(['\0', '\u{FFFD}'], "?");
        let problem = if std::str::from_utf8(&name_bytes).is_err()
            || std::str::from_utf8(&value_bytes).is_err()
        {
            Some(NOT_UTF8)
        } else if name_bytes.contains(&0) || value_bytes.contains(&0) {
            Some(NULL_CHARACTERS)
        } else {
            None
        };
        if let Some(problem) = problem {
            return Some(super::error::response(ServiceError::invalid(
                field, problem,
            )));
        }
    }
    None
}

fn is_clean(bytes: &[u8]) -> bool {
    !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok()
}

/// `%XX` escapes decoded (and `+` as a space in query strings); a malformed escape stays as is.
fn percent_decode(text: &str, plus_is_space: bool) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = |b: u8| (b as char).to_digit(16);
                match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                    (Some(hi), Some(lo)) => {
                        out.push((hi * 16 + lo) as u8);
                        i += 3;
                        continue;
                    }
                    _ => out.push(b'%'),
                }
            }
            b'+' if plus_is_space => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(path: &str, query: Option<&str>) -> Option<u16> {
        check(path, query).map(|r| r.status().as_u16())
    }

    #[test]
    fn clean_text_passes() {
        assert_eq!(
            status("/api/v1/identities/", Some("identifier=ad%C3%A9+x&a=")),
            None
        );
        assert_eq!(status("/api/v1/identities/", Some("identifier=100%")), None);
        assert_eq!(status("/api/v1/x%20y/", None), None);
    }

    #[test]
    fn invalid_utf8_and_nul_are_refused() {
        assert_eq!(
            status("/api/v1/identities/", Some("identifier=%FF")),
            Some(400)
        );
        assert_eq!(
            status("/api/v1/identities/", Some("identifier=a%00b")),
            Some(400)
        );
        assert_eq!(status("/api/v1/identities/", Some("%FF=1")), Some(400));
        assert_eq!(status("/api/v1/environments/a%00/", None), Some(404));
        assert_eq!(status("/api/v1/environments/%FE/", None), Some(404));
    }

    #[test]
    fn escapes_decode() {
        assert_eq!(percent_decode("a%41%4a+", true), b"aAJ ");
        assert_eq!(percent_decode("%4", false), b"%4");
        assert_eq!(percent_decode("%zz", false), b"%zz");
    }
}
