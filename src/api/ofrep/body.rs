//! The OFREP request body: read without failing, so a parse error is answered the OFREP way.

use poem::{FromRequest, Request, RequestBody};
use poem_openapi::Object;
use poem_openapi::payload::{ParsePayload, Payload};
use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::Type;
use serde_json::Value;

/// The evaluation context: `targetingKey` (the identity) and any other attributes (traits).
#[derive(Debug, Object)]
#[oai(rename = "OfrepRequest")]
pub struct OfrepRequestSchema {
    context: Option<std::collections::HashMap<String, Value>>,
}

/// The request body, read without failing so that a parse error is answered the OFREP way.
pub struct OfrepBody(pub(super) Result<Value, String>);

impl Payload for OfrepBody {
    const CONTENT_TYPE: &'static str = "application/json";

    fn check_content_type(_content_type: &str) -> bool {
        true
    }

    fn schema_ref() -> MetaSchemaRef {
        OfrepRequestSchema::schema_ref()
    }

    fn register(registry: &mut Registry) {
        OfrepRequestSchema::register(registry);
    }
}

impl ParsePayload for OfrepBody {
    const IS_REQUIRED: bool = false;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        let bytes = Vec::<u8>::from_request(request, body).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OfrepBody(Ok(Value::Null)));
        }
        let parsed = serde_json::from_slice(&bytes)
            .map_err(|e| format!("invalid JSON: {e}"))
            .and_then(|value: Value| {
                match crate::api::body::null_character_at(&value, String::new()) {
                    Some(path) => Err(format!("{path}: null characters are not allowed")),
                    None => Ok(value),
                }
            });
        Ok(OfrepBody(parsed))
    }
}

// Written out rather than by `impl_apirequest_for_payload!`, which answers 415 to a request
// without a content type: the body is optional, and a request with neither reads as an empty
// context, as an empty body does.
impl<'a> poem_openapi::ApiExtractor<'a> for OfrepBody {
    const TYPES: &'static [poem_openapi::ApiExtractorType] =
        &[poem_openapi::ApiExtractorType::RequestObject];

    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        <Self as Payload>::register(registry);
    }

    fn request_meta() -> Option<poem_openapi::registry::MetaRequest> {
        Some(poem_openapi::registry::MetaRequest {
            description: None,
            content: vec![poem_openapi::registry::MetaMediaType {
                content_type: <Self as Payload>::CONTENT_TYPE,
                schema: <Self as Payload>::schema_ref(),
            }],
            required: <Self as ParsePayload>::IS_REQUIRED,
        })
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        _param_opts: poem_openapi::ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        <Self as ParsePayload>::from_request(request, body).await
    }
}
