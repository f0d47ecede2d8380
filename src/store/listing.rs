//! `Listing`: the conditions a filtered list is narrowed by, and their placeholders' values.
//
// Each backend adds `arg` (its placeholder syntax) and `page` (its SQL) in `<backend>/listing.rs`.

/// The conditions a list is narrowed by, and the values of their placeholders in order;
/// `A` is the backend's parameter type.
pub(crate) struct Listing<A> {
    filters: Vec<String>,
    pub(super) args: Vec<A>,
}

impl<A> Default for Listing<A> {
    fn default() -> Self {
        Listing {
            filters: Vec::new(),
            args: Vec::new(),
        }
    }
}

impl<A> std::fmt::Debug for Listing<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listing")
            .field("filters", &self.filters)
            .finish_non_exhaustive()
    }
}

impl<A> Listing<A> {
    /// Adds a condition; all must hold.
    pub fn filter(&mut self, condition: impl Into<String>) {
        self.filters.push(condition.into());
    }

    /// `WHERE` and the conditions, or nothing when there are none.
    pub fn clause(&self) -> String {
        if self.filters.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", self.filters.join(" AND "))
        }
    }
}
