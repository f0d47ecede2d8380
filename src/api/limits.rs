//! Request body limits per surface: 413 from `Content-Length`, or once a body outgrows its limit.

use std::io;

use futures_util::StreamExt;
use poem::http::{Method, header};
use poem::{Body, Request, Response};

use super::surface::Surface;

/// The largest body each surface accepts, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyLimits {
    pub management: u64,
    pub sdk: u64,
    pub sign_in: u64,
    pub bulk: u64,
}

impl Default for BodyLimits {
    fn default() -> Self {
        BodyLimits {
            management: 2 << 20,
            sdk: 256 << 10,
            sign_in: 16 << 10,
            bulk: 16 << 20,
        }
    }
}

impl BodyLimits {
    pub fn of(&self, surface: Surface) -> u64 {
        match surface {
            Surface::Sdk => self.sdk,
            Surface::SdkBulk => self.bulk,
            Surface::SignIn | Surface::Health | Surface::Dashboard => self.sign_in,
            Surface::Management => self.management,
        }
    }
}

/// A body that grew past its limit while it was read.
#[derive(Debug, thiserror::Error)]
#[error("the request body is larger than {limit} bytes")]
pub struct BodyTooLarge {
    pub limit: u64,
}

use super::error::too_large;

/// The 413 for a body whose declared length is over `limit`; a body without a declared length is
/// cut off (and the request answered 413) once it passes `limit`. hyper never reads past a
/// declared length, and a GET's body is never read.
pub fn apply(req: &mut Request, limit: u64) -> Option<Response> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    match declared {
        Some(length) if length > limit => Some(too_large(limit)),
        Some(_) => None,
        // A chunked HTTP/1.1 body or an HTTP/2 body without a length.
        None if !matches!(*req.method(), Method::GET | Method::HEAD) => {
            let body = req.take_body().into_bytes_stream();
            let mut read = 0u64;
            let limited = body.map(move |chunk| {
                let chunk = chunk?;
                read += chunk.len() as u64;
                if read > limit {
                    return Err(io::Error::other(BodyTooLarge { limit }));
                }
                Ok(chunk)
            });
            req.set_body(Body::from_bytes_stream(limited));
            None
        }
        None => None,
    }
}

/// The limit a failed body read ran into, if that is why it failed.
pub fn exceeded(error: &(dyn std::error::Error + 'static)) -> Option<u64> {
    if let Some(too_large) = error.downcast_ref::<BodyTooLarge>() {
        return Some(too_large.limit);
    }
    if let Some(io) = error.downcast_ref::<io::Error>()
        && let Some(inner) = io.get_ref()
        && let Some(limit) = exceeded(inner)
    {
        return Some(limit);
    }
    error.source().and_then(exceeded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrapped_overflow_is_found() {
        let inner = io::Error::other(BodyTooLarge { limit: 10 });
        let outer = io::Error::other(inner);
        assert_eq!(exceeded(&outer), Some(10));
        assert_eq!(exceeded(&io::Error::other("other")), None);
    }
}
