//! Flagstaff: a self-hosted feature-flag server that speaks the Flagsmith API.

pub mod api;
pub mod app;
pub mod cli;
pub mod clock;
pub mod config;
pub mod domain;
pub mod engine;
pub mod logging;
pub mod server;
pub mod service;
pub mod snapshot;
pub mod store;
pub mod update;
pub mod web;
