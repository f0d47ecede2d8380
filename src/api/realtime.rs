//! Realtime: the Server-Sent Events streams that tell SDKs an environment changed.
//
// `GET /sse/environments/{key}/stream` is the stream Flagsmith's SDKs listen on (their
// `realtime_api_url` / `eventSourceUrl` pointed at this server): an `environment_updated`
// event whose data is `{"updated_at": <epoch seconds>}`, once on connect and after every
// change. `GET /sse/environments/{key}/ofrep` is the stream OFREP's bulk answer advertises in
// `eventStreams`: a `refetchEvaluation` message after every change. Both take the environment's
// client key (public, as it is in a browser), keep the connection open with a comment every
// 15 s, and end when the environment is deleted or the server stops. No compression: a
// compressor would hold events back.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use poem::web::Data;
use poem::web::sse::Event;
use poem_openapi::payload::EventStream;
use poem_openapi::types::ToJSON;
use poem_openapi::{Object, OpenApi, param::Path};

use crate::api::Tag;
use crate::service::{Service, Updates};

const KEEP_ALIVE: Duration = Duration::from_secs(15);

pub struct RealtimeApi;

/// When the environment last changed.
#[derive(Debug, Object)]
pub struct EnvironmentUpdated {
    /// Epoch seconds, with microseconds.
    updated_at: f64,
}

/// Tells an OFREP provider to evaluate its flags again.
#[derive(Debug, Object)]
pub struct RefetchEvaluation {
    /// Always `refetchEvaluation`.
    #[oai(rename = "type")]
    kind: String,
}

type Stream<T> = EventStream<BoxStream<'static, T>>;

#[OpenApi(tag = "Tag::Sdk")]
impl RealtimeApi {
    /// Stream an environment's changes, as Flagsmith's SDKs read them
    ///
    /// Server-Sent Events: `environment_updated` with the environment's `updated_at` on
    /// connect and after every change. `key` is the environment's client-side key; any other
    /// answers 404.
    #[oai(path = "/sse/environments/:key/stream", method = "get")]
    async fn stream(
        &self,
        svc: Data<&Arc<Service>>,
        key: Path<String>,
    ) -> poem::Result<Stream<EnvironmentUpdated>> {
        let updates = svc.environment_updates(&key.0).await?;
        let events = changes(updates, true).map(|updated_at| EnvironmentUpdated { updated_at });
        Ok(EventStream::new(events.boxed())
            .keep_alive(KEEP_ALIVE)
            .to_event(|e| Event::message(e.to_json_string()).event_type("environment_updated")))
    }

    /// Stream an environment's changes, as OFREP providers read them
    ///
    /// Server-Sent Events: a `refetchEvaluation` message after every change (none on
    /// connect). The bulk evaluation advertises this stream in `eventStreams`.
    #[oai(path = "/sse/environments/:key/ofrep", method = "get")]
    async fn ofrep(
        &self,
        svc: Data<&Arc<Service>>,
        key: Path<String>,
    ) -> poem::Result<Stream<RefetchEvaluation>> {
        let updates = svc.environment_updates(&key.0).await?;
        let events = changes(updates, false).map(|_| RefetchEvaluation {
            kind: "refetchEvaluation".into(),
        });
        Ok(EventStream::new(events.boxed())
            .keep_alive(KEEP_ALIVE)
            .to_event(|e| Event::message(e.to_json_string())))
    }
}

/// Each new `updated_at` (and the current one first, if `current`), until the stream's
/// environment is gone or the server stops.
fn changes(updates: Updates, current: bool) -> impl futures_util::Stream<Item = f64> + Send {
    futures_util::stream::unfold((updates, current), |(mut rx, first)| async move {
        if !first {
            rx.changed().await.ok()?;
        }
        let updated_at = *rx.borrow_and_update();
        Some((updated_at, (rx, false)))
    })
}

/// The address of an environment's OFREP stream, relative to the server's origin.
pub fn ofrep_stream_uri(key: &str) -> String {
    format!(
        "/sse/environments/{}/ofrep",
        percent_encoding::utf8_percent_encode(key, percent_encoding::NON_ALPHANUMERIC)
    )
}
