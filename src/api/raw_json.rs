//! `RawJson<T>`: a response body already rendered to JSON, described by `T`'s schema.

use poem::{IntoResponse, Response};
use poem_openapi::ApiResponse;
use poem_openapi::payload::Payload;
use poem_openapi::registry::{MetaMediaType, MetaResponse, MetaResponses, MetaSchemaRef, Registry};
use poem_openapi::types::Type;
use std::marker::PhantomData;

pub struct RawJson<T> {
    bytes: bytes::Bytes,
    schema: PhantomData<T>,
}

impl<T> RawJson<T> {
    pub fn new(bytes: bytes::Bytes) -> Self {
        RawJson {
            bytes,
            schema: PhantomData,
        }
    }

    /// Renders a value now.
    pub fn of(value: &serde_json::Value) -> Self {
        RawJson::new(serde_json::to_vec(value).unwrap_or_default().into())
    }
}

impl<T: Type> Payload for RawJson<T> {
    const CONTENT_TYPE: &'static str = "application/json";

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: Send> IntoResponse for RawJson<T> {
    fn into_response(self) -> Response {
        Response::builder()
            .content_type("application/json")
            .body(self.bytes)
    }
}

impl<T: Type + Send> ApiResponse for RawJson<T> {
    fn meta() -> MetaResponses {
        MetaResponses {
            responses: vec![MetaResponse {
                description: "",
                status: Some(200),
                status_range: None,
                content: vec![MetaMediaType {
                    content_type: Self::CONTENT_TYPE,
                    schema: Self::schema_ref(),
                }],
                headers: vec![],
            }],
        }
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}
