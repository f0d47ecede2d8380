//! The admin model: plain data, parsing and validation. No IO, no async.

pub mod analytics;
pub mod audit;
pub mod environment;
pub mod feature;
pub mod feature_state;
pub mod identity;
pub mod organisation;
pub mod permission;
pub mod project;
pub mod segment;
pub mod user;
mod value;
pub mod webhook;

pub use value::FeatureValue;

/// Wall-clock instants are UTC everywhere; only `clock.rs` reads the time.
pub type Timestamp = chrono::DateTime<chrono::Utc>;

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

ids!(
    UserId,
    OrganisationId,
    /// An organisation API key ("master API key").
    OrgApiKeyId,
    ProjectId,
    EnvironmentId,
    /// A server-side environment key (`ser.…`).
    ServerKeyId,
    FeatureId,
    MvOptionId,
    TagId,
    FeatureStateId,
    /// A segment override's container: (feature, segment, environment, priority).
    FeatureSegmentId,
    SegmentId,
    IdentityId,
    TraitId,
    AuditLogId,
);

/// A datetime as Django REST Framework renders it: UTC, `Z`, microseconds unless zero.
pub fn drf_datetime(t: Timestamp) -> String {
    if t.timestamp_subsec_micros() == 0 {
        t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    } else {
        t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
    }
}

/// A fresh random UUID (v4) as text, for the `uuid` column most objects carry.
pub fn new_uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// One page of a list, with the total for DRF's `count`.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
}

impl<T> Page<T> {
    /// The requested page of a list held whole in memory.
    pub fn slice(items: Vec<T>, request: PageRequest) -> Page<T> {
        let total = items.len() as u64;
        let skip = usize::try_from(request.offset()).unwrap_or(usize::MAX);
        let take = usize::try_from(request.page_size).unwrap_or(usize::MAX);
        Page {
            items: items.into_iter().skip(skip).take(take).collect(),
            total,
        }
    }
}

/// Which page of a list to read (1-based, as DRF's `page`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: u64,
    pub page_size: u64,
}

impl PageRequest {
    pub const MAX_SIZE: u64 = 999;

    pub fn all() -> Self {
        PageRequest {
            page: 1,
            page_size: Self::MAX_SIZE,
        }
    }

    /// Rows to skip, at most `i64::MAX` (what SQL's OFFSET takes): a page that far is past the
    /// last one either way.
    pub fn offset(&self) -> u64 {
        self.page
            .saturating_sub(1)
            .saturating_mul(self.page_size)
            .min(i64::MAX as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::{Page, PageRequest};

    #[test]
    fn a_slice_is_the_requested_page_with_the_whole_count() {
        let page = |page, page_size| PageRequest { page, page_size };
        let second = Page::slice(vec![1, 2, 3, 4, 5], page(2, 2));
        assert_eq!(
            second,
            Page {
                items: vec![3, 4],
                total: 5
            }
        );
        assert_eq!(Page::slice(vec![1, 2], page(3, 2)).items, Vec::<i32>::new());
        assert_eq!(page(u64::MAX, 999).offset(), i64::MAX as u64);
    }
}
