//! The integration tests: each storage and API scenario runs on SQLite and on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod api;
mod architecture;
mod backup;
mod changes;
mod config;
mod connections;
mod crash;
mod engine;
mod eval;
mod export;
mod files;
mod harness;
mod http;
mod logs;
mod metrics;
mod migrations;
mod outage;
mod server;
mod store;
mod update;
mod upgrade;
mod web;
pub mod webhooks;
