//! The management API, by area.

pub mod accounts;
