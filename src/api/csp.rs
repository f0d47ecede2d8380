//! The Content-Security-Policy of an HTML page: its own inline code by hash, nothing else.

use base64::Engine;
use poem::http::{HeaderValue, Method, header};
use poem::{Endpoint, IntoResponse, Request, Response};
use sha2::{Digest, Sha256};

/// Gives an HTML page that has no policy of its own the one its inline blocks call for (inside
/// compression, so the page is read as written).
pub async fn html_policy<E: Endpoint>(next: E, req: Request) -> poem::Result<Response> {
    let head = req.method() == Method::HEAD;
    let mut response = next.call(req).await?.into_response();
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !html
        || head
        || response
            .headers()
            .contains_key(header::CONTENT_SECURITY_POLICY)
    {
        return Ok(response);
    }
    let body = response.take_body().into_bytes().await.unwrap_or_default();
    if let Ok(value) = HeaderValue::from_str(&policy_for(&String::from_utf8_lossy(&body))) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response.set_body(body);
    Ok(response)
}

/// A strict policy allowing exactly the inline `<script>` and `<style>` blocks of `html`.
pub fn policy_for(html: &str) -> String {
    policy(html, "'none'")
}

/// The dashboard's policy: as strict, but its `<base href>` (the sub-path behind a proxy) may
/// point at this server.
pub fn page_policy(html: &str) -> String {
    policy(html, "'self'")
}

fn policy(html: &str, base_uri: &str) -> String {
    let scripts = hashes(html, "script");
    let styles = hashes(html, "style");
    format!(
        "default-src 'none'; script-src 'self'{scripts}; style-src 'self'{styles}; \
         img-src 'self' data:; font-src 'self' data:; connect-src 'self'; manifest-src 'self'; \
         base-uri {base_uri}; form-action 'self'; frame-ancestors 'none'"
    )
}

/// ` 'sha256-…'` for the content of every inline `<tag>…</tag>` block.
fn hashes(html: &str, tag: &str) -> String {
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    let mut out = String::new();
    let mut rest = html;
    while let Some(start) = rest.find(&open) {
        let after = &rest[start + open.len()..];
        let Some(tag_end) = after.find('>') else {
            break;
        };
        let attributes = &after[..tag_end];
        let body = &after[tag_end + 1..];
        let Some(end) = body.find(&close) else {
            break;
        };
        let content = &body[..end];
        // `<scripts>` or `<styles>` is another tag; a `src` script is not inline.
        let is_tag = attributes.is_empty() || attributes.starts_with(char::is_whitespace);
        if is_tag && !(tag == "script" && attributes.contains("src=")) {
            let digest = Sha256::digest(content.as_bytes());
            out.push_str(&format!(
                " 'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            ));
        }
        rest = &body[end + close.len()..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_blocks_are_hashed_and_nothing_else_allowed() {
        let html = "<html><style>b{}</style><script>let a=1;</script>\
                    <script src=\"/x.js\"></script></html>";
        let policy = policy_for(html);
        let hash = |s: &str| {
            base64::engine::general_purpose::STANDARD.encode(Sha256::digest(s.as_bytes()))
        };
        assert!(policy.contains(&format!("script-src 'self' 'sha256-{}';", hash("let a=1;"))));
        assert!(policy.contains(&format!("style-src 'self' 'sha256-{}';", hash("b{}"))));
        assert!(policy.contains("frame-ancestors 'none'"));
        assert!(policy.starts_with("default-src 'none'"));
    }
}
