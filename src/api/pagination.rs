//! DRF's page-number pagination envelope: `{"count", "next", "previous", "results"}`.

use poem::Request;
use poem_openapi::Object;
use poem_openapi::types::{ParseFromJSON, ToJSON};

use crate::domain::{Page, PageRequest};
use crate::service::{ServiceError, ServiceResult};

#[derive(Debug, Object)]
pub struct Paginated<T: ParseFromJSON + ToJSON + Send + Sync> {
    pub count: u64,
    pub next: Option<String>,
    pub previous: Option<String>,
    pub results: Vec<T>,
}

impl<T: ParseFromJSON + ToJSON + Send + Sync> Paginated<T> {
    /// Everything on one page.
    pub fn all(results: Vec<T>) -> Self {
        Paginated {
            count: results.len() as u64,
            next: None,
            previous: None,
            results,
        }
    }

    /// One page of a longer list, with links to its neighbours.
    pub fn page<U>(
        req: &Request,
        page: PageRequest,
        found: Page<U>,
        map: impl FnMut(U) -> T,
    ) -> Self {
        let last = found.total.div_ceil(page.page_size.max(1)).max(1);
        let link = |n: u64| page_url(req, n);
        Paginated {
            count: found.total,
            next: (page.page < last).then(|| link(page.page + 1)),
            previous: (page.page > 1).then(|| link(page.page - 1)),
            results: found.items.into_iter().map(map).collect(),
        }
    }

    /// Like `page`, but a page past the last is `Invalid page.` (404), as DRF answers; the
    /// first page always exists.
    pub fn checked_page<U>(
        req: &Request,
        page: PageRequest,
        found: Page<U>,
        map: impl FnMut(U) -> T,
    ) -> ServiceResult<Self> {
        let last = found.total.div_ceil(page.page_size.max(1)).max(1);
        if page.page > last {
            return Err(ServiceError::not_found_with("Invalid page."));
        }
        Ok(Self::page(req, page, found, map))
    }
}

/// `page` and `page_size` from the query; DRF answers 404 for a page that is not a number.
pub fn page_request(
    page: Option<String>,
    page_size: Option<String>,
    default_size: u64,
) -> ServiceResult<PageRequest> {
    let page = match page.as_deref() {
        None | Some("") => 1,
        Some(text) => match text.parse::<u64>() {
            Ok(n) if n >= 1 => n,
            _ => return Err(ServiceError::not_found_with("Invalid page.")),
        },
    };
    let page_size = match page_size.as_deref() {
        None | Some("") => default_size,
        Some(text) => text
            .parse::<u64>()
            .unwrap_or(default_size)
            .clamp(1, PageRequest::MAX_SIZE),
    };
    Ok(PageRequest { page, page_size })
}

fn page_url(req: &Request, page: u64) -> String {
    let host = req
        .headers()
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let mut query: Vec<String> = req
        .uri()
        .query()
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("page="))
        .map(str::to_string)
        .collect();
    query.push(format!("page={page}"));
    // Routing drops the trailing slash (see `openapi.rs`); links keep Flagsmith's spelling.
    let path = req.uri().path().trim_end_matches('/');
    format!("http://{host}{path}/?{}", query.join("&"))
}
